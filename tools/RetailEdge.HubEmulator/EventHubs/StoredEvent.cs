using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// One device-to-cloud message as the built-in endpoint keeps it: its place in the partition
/// (sequence number, offset, enqueue time), the authenticated source and the message as the
/// device sent it. One JSON line per event in a partition's segment files.
/// </summary>
public sealed record StoredEvent
{
    [JsonPropertyName("seq")]
    public required long SequenceNumber { get; init; }

    [JsonPropertyName("offset")]
    public required long Offset { get; init; }

    [JsonPropertyName("enqueued")]
    public required DateTimeOffset EnqueuedTime { get; init; }

    [JsonPropertyName("deviceId")]
    public required string DeviceId { get; init; }

    [JsonPropertyName("moduleId")]
    public string? ModuleId { get; init; }

    [JsonPropertyName("generationId")]
    public string? GenerationId { get; init; }

    [JsonPropertyName("messageId")]
    public string? MessageId { get; init; }

    [JsonPropertyName("correlationId")]
    public string? CorrelationId { get; init; }

    [JsonPropertyName("contentType")]
    public string? ContentType { get; init; }

    [JsonPropertyName("contentEncoding")]
    public string? ContentEncoding { get; init; }

    [JsonPropertyName("properties")]
    public IReadOnlyList<KeyValuePair<string, string>> Properties { get; init; } = [];

    [JsonPropertyName("body")]
    public required byte[] Body { get; init; }
}

[JsonSerializable(typeof(StoredEvent))]
internal sealed partial class StoredEventJsonContext : JsonSerializerContext;
