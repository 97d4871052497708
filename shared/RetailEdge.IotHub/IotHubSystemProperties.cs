namespace RetailEdge.IotHub;

/// <summary>System property keys carried in the property bag (PROTOCOLS.md "Telemetry").</summary>
public static class IotHubSystemProperties
{
    /// <summary>Message id (≤ 128 ASCII characters).</summary>
    public const string MessageId = "$.mid";

    /// <summary>Correlation id.</summary>
    public const string CorrelationId = "$.cid";

    /// <summary>Content type; routing writes JSON bodies only for <c>application/json</c>.</summary>
    public const string ContentType = "$.ct";

    /// <summary>Content encoding; routing writes JSON bodies only for <c>utf-8</c>.</summary>
    public const string ContentEncoding = "$.ce";

    /// <summary>Creation time (ISO 8601 UTC).</summary>
    public const string CreationTimeUtc = "$.ctime";

    /// <summary>Absolute expiry time (ISO 8601 UTC).</summary>
    public const string ExpiryTimeUtc = "$.exp";

    /// <summary>User id.</summary>
    public const string UserId = "$.uid";

    /// <summary>Module output name (module → edgeHub routing).</summary>
    public const string OutputName = "$.on";

    /// <summary>Connection device id stamped by the hub on delivered messages.</summary>
    public const string ConnectionDeviceId = "$.cdid";

    /// <summary>Connection module id stamped by the hub on delivered messages.</summary>
    public const string ConnectionModuleId = "$.cmid";

    /// <summary>True for keys that are system properties (<c>$.</c> prefix).</summary>
    public static bool IsSystemProperty(string key) => key.StartsWith("$.", StringComparison.Ordinal);
}
