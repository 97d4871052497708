using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.IotHubService;

/// <summary>
/// A device or module twin as the service API returns it. The typed members are read
/// tolerantly (missing members are empty); <see cref="Document"/> keeps the whole document.
/// </summary>
public sealed class Twin
{
    private Twin(JsonObject document)
    {
        Document = document;
        DeviceId = ReadString(document, "deviceId") ?? string.Empty;
        ModuleId = ReadString(document, "moduleId");
        ETag = ReadString(document, "etag");
        Version = ReadLong(document["version"]) ?? 0;
        ConnectionState = ReadString(document, "connectionState");
        Tags = document["tags"] as JsonObject ?? [];
        var properties = document["properties"] as JsonObject;
        Desired = properties?["desired"] as JsonObject ?? [];
        Reported = properties?["reported"] as JsonObject ?? [];
        DesiredVersion = ReadLong(Desired["$version"]) ?? 0;
        ReportedVersion = ReadLong(Reported["$version"]) ?? 0;
    }

    public string DeviceId { get; }

    /// <summary>Null for a device twin.</summary>
    public string? ModuleId { get; }

    /// <summary>The twin's ETag, unquoted; pass it back as If-Match.</summary>
    public string? ETag { get; }

    public long Version { get; }

    /// <summary>"Connected" or "Disconnected" when the hub reports it.</summary>
    public string? ConnectionState { get; }

    public JsonObject Tags { get; }

    /// <summary>Desired properties including "$version" and "$metadata".</summary>
    public JsonObject Desired { get; }

    /// <summary>Reported properties including "$version" and "$metadata".</summary>
    public JsonObject Reported { get; }

    public long DesiredVersion { get; }

    public long ReportedVersion { get; }

    /// <summary>The whole twin document as received.</summary>
    public JsonObject Document { get; }

    public static Twin FromJson(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return new Twin(document);
    }

    private static string? ReadString(JsonObject document, string name) =>
        document[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static long? ReadLong(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;
}
