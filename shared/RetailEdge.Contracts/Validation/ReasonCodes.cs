namespace RetailEdge.Contracts.Validation;

/// <summary>Reason codes for rejected events (ARCHITECTURE.md §4). Stable: they are counted and reported.</summary>
public static class ReasonCodes
{
    public const string MalformedJson = "malformed_json";
    /// <summary>The bytes are not UTF-8 (RFC 8259 §8.1), e.g. a Latin-1 "Jalapeño" from a scale.</summary>
    public const string InvalidUtf8 = "invalid_utf8";
    /// <summary>An object names a property twice: which value counts would be a guess (RFC 8259 §4), so the event is ambiguous.</summary>
    public const string DuplicateKey = "duplicate_key";
    public const string MalformedCsv = "malformed_csv";
    public const string UnknownType = "unknown_type";
    public const string MissingFieldPrefix = "missing_field:";
    /// <summary>A field is present but of the wrong type or out of range, e.g. <c>invalid_field:qty</c>.</summary>
    public const string InvalidFieldPrefix = "invalid_field:";
    public const string BadTimestamp = "bad_timestamp";
    public const string WrongStore = "wrong_store";
    public const string FutureTimestamp = "future_timestamp";
    public const string TooLarge = "too_large";
    public const string Duplicate = "duplicate";
    public const string UnknownItem = "unknown_item";

    public static string MissingField(string name) => MissingFieldPrefix + name;

    public static string InvalidField(string name) => InvalidFieldPrefix + name;
}
