namespace RetailEdge.Contracts.Telemetry;

/// <summary>Why a routed message could not become silver rows.</summary>
public static class TelemetryReasonCodes
{
    public const string NotGzip = "not_gzip";
    public const string BadJson = "bad_json";
    public const string UnknownSchema = "unknown_schema";
    public const string TooLarge = "too_large";
    public const string BadSection = "bad_section";
    public const string MissingField = "missing_field";

    /// <summary>A JSON object with the same property twice: ambiguous (which seq, which Body?), never read last-key-wins.</summary>
    public const string DuplicateKey = Validation.ReasonCodes.DuplicateKey;

    /// <summary>A journalId that is not 1..64 letters, digits, '-' or '_'.</summary>
    public const string BadJournalId = "bad_journal_id";
}
