namespace RetailEdge.Lakehouse;

/// <summary>
/// One event of a partitioned stream (IoT Hub's built-in Event Hubs endpoint) on its way into
/// bronze.telemetry: its place in the partition (sequence number, offset), IoT Hub's annotations,
/// the application properties as a JSON object and the body exactly as sent.
/// </summary>
public sealed record StreamedEvent(
    string PartitionId,
    long SequenceNumber,
    string? Offset,
    DateTimeOffset EnqueuedTime,
    string? DeviceId,
    string? ModuleId,
    string? MessageId,
    string? ContentType,
    string? ContentEncoding,
    string Properties,
    byte[] Body);
