namespace RetailEdge.IotHub;

/// <summary>
/// A message the client could not interpret (bad property bag, unknown topic, bad twin JSON). The
/// raw topic and payload are handed over so the application can quarantine them; the client
/// acknowledges it so it does not block the stream.
/// </summary>
/// <param name="topic">the raw topic</param>
/// <param name="payload">the raw payload</param>
/// <param name="reason">why it was refused</param>
public sealed class MalformedMessageEventArgs(string topic, ReadOnlyMemory<byte> payload, string reason) : EventArgs
{
    /// <summary>The raw topic.</summary>
    public string Topic { get; } = topic;

    /// <summary>The raw payload.</summary>
    public ReadOnlyMemory<byte> Payload { get; } = payload;

    /// <summary>Why it was refused.</summary>
    public string Reason { get; } = reason;
}
