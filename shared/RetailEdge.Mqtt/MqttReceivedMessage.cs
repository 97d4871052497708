namespace RetailEdge.Mqtt;

/// <summary>
/// An inbound PUBLISH. For QoS 1 without auto-acknowledge, pass it to
/// <see cref="MqttClient.AcknowledgeAsync"/> once it is durably handled; until then the server
/// keeps it and redelivers it (with DUP) after a reconnect of a persistent session.
/// </summary>
public sealed class MqttReceivedMessage
{
    private int _acknowledged;

    internal MqttReceivedMessage(MqttPublishPacket packet, int connectionGeneration, bool needsAcknowledgement)
    {
        Topic = packet.Topic;
        Payload = packet.Payload;
        QualityOfService = packet.QualityOfService;
        Retain = packet.Retain;
        Dup = packet.Dup;
        PacketId = packet.PacketId;
        ConnectionGeneration = connectionGeneration;
        NeedsAcknowledgement = needsAcknowledgement;
    }

    public string Topic { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    public MqttQualityOfService QualityOfService { get; }

    public bool Retain { get; }

    /// <summary>The server says it may have sent this before (spec 3.3.1.1): expect duplicates.</summary>
    public bool Dup { get; }

    public ushort PacketId { get; }

    internal int ConnectionGeneration { get; }

    internal bool NeedsAcknowledgement { get; }

    internal bool TryMarkAcknowledged() => Interlocked.Exchange(ref _acknowledged, 1) == 0;

    public override string ToString() => $"{Topic} qos={(int)QualityOfService} id={PacketId} dup={Dup} bytes={Payload.Length}";
}
