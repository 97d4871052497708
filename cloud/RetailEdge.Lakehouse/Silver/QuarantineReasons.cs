namespace RetailEdge.Lakehouse;

/// <summary>
/// Reasons of silver.quarantine rows besides the telemetry codec's own
/// (<see cref="RetailEdge.Contracts.Telemetry.TelemetryReasonCodes"/>: not_gzip, bad_json, unknown_schema, …).
/// </summary>
public static class QuarantineReasons
{
    /// <summary>A routed line that is not a routing record (not JSON, no SystemProperties, bad Body).</summary>
    public const string MalformedRecord = "malformed_record";

    /// <summary>The sending device is not any store's device_id in reference.store.</summary>
    public const string UnregisteredDevice = "unregistered_device";

    /// <summary>The batch's storeId is not the store that reference.store registers for the device.</summary>
    public const string StoreMismatch = "store_mismatch";

    /// <summary>A message without a module identity (telemetry comes from the StoreGateway module).</summary>
    public const string MissingModule = "missing_module";

    /// <summary>
    /// A batch under a key already landed — (device, module, journal, seq) — with different content: one
    /// of the two is wrong, neither is dropped silently; the first stays in silver, this one here.
    /// </summary>
    public const string SeqConflict = "seq_conflict";

    /// <summary>An Event Hubs event without IoT Hub's device annotation (iothub-connection-device-id): not sent through the hub.</summary>
    public const string MissingDevice = "missing_device";

    /// <summary>A routed line longer than the lander's line limit: a bounded sample, its size and hash are kept.</summary>
    public const string LineTooLarge = "line_too_large";

    /// <summary>A routed line that repeats a JSON property name (two Body or two SystemProperties): ambiguous.</summary>
    public const string DuplicateKey = "duplicate_key";

    /// <summary>A row whose values break the section's rules (unknown change type or channel); prefix of invalid_row:{section}.</summary>
    public const string InvalidRow = "invalid_row";
}
