using System.Security.Cryptography;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// One event on its way into the journal: the validator's verdict, the raw bytes as received (a valid
/// event whole; a rejected one only its first <see cref="QuarantineSampleBytes"/> with the size and
/// SHA-256 of the whole, so a 16 MB body of garbage is not kept), and (after the commit) its tag and outcome.
/// </summary>
public sealed class JournalEntry
{
    /// <summary>Most bytes of a rejected event kept in quarantine; its size and SHA-256 identify the whole.</summary>
    public const int QuarantineSampleBytes = 4096;

    private byte[]? _sha256;

    public JournalEntry(byte[] raw, ValidationResult validation, DateTimeOffset receivedAt, string source)
    {
        ArgumentNullException.ThrowIfNull(raw);
        Raw = raw;
        RawSize = raw.Length;
        Validation = validation;
        ReceivedAt = receivedAt;
        Source = source;
    }

    private JournalEntry(byte[] sample, long size, byte[] sha256, ValidationResult validation, DateTimeOffset receivedAt, string source)
        : this(sample, validation, receivedAt, source)
    {
        RawSize = size;
        _sha256 = sha256;
    }

    /// <summary>An entry for <paramref name="raw"/>: the whole event when it is valid, a bounded sample and hash when not.</summary>
    public static JournalEntry Create(ReadOnlySpan<byte> raw, ValidationResult validation, DateTimeOffset receivedAt, string source) =>
        validation.IsValid || raw.Length <= QuarantineSampleBytes
            ? new JournalEntry(raw.ToArray(), validation, receivedAt, source)
            : new JournalEntry(raw[..QuarantineSampleBytes].ToArray(), raw.Length, SHA256.HashData(raw), validation, receivedAt, source);

    /// <summary>The event's bytes; for a rejected event larger than <see cref="QuarantineSampleBytes"/>, its first bytes only.</summary>
    public byte[] Raw { get; }

    /// <summary>Size of the whole event as received.</summary>
    public long RawSize { get; }

    /// <summary>SHA-256 of the whole event as received.</summary>
    public byte[] RawSha256 => _sha256 ??= SHA256.HashData(Raw);

    /// <summary>What quarantine keeps of the bytes: at most <see cref="QuarantineSampleBytes"/>.</summary>
    public byte[] QuarantineSample => Raw.Length <= QuarantineSampleBytes ? Raw : Raw[..QuarantineSampleBytes];

    public ValidationResult Validation { get; }

    public DateTimeOffset ReceivedAt { get; }

    public string Source { get; }

    /// <summary>Row id in events (accepted) or quarantine (duplicate, rejected).</summary>
    public long Tag { get; set; }

    public IngestOutcome Outcome { get; set; }
}
