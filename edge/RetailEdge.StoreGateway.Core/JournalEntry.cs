using RetailEdge.Contracts.Validation;

namespace RetailEdge.StoreGateway.Core;

/// <summary>One event on its way into the journal: raw bytes as received, the validator's verdict, and (after the commit) its tag and outcome.</summary>
public sealed class JournalEntry(byte[] raw, ValidationResult validation, DateTimeOffset receivedAt, string source)
{
    public byte[] Raw { get; } = raw;

    public ValidationResult Validation { get; } = validation;

    public DateTimeOffset ReceivedAt { get; } = receivedAt;

    public string Source { get; } = source;

    /// <summary>Row id in events (accepted) or quarantine (duplicate, rejected).</summary>
    public long Tag { get; set; }

    public IngestOutcome Outcome { get; set; }
}
