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
}
