namespace RetailEdge.Delta.Actions;

/// <summary>The `protocol` action: the reader/writer versions (and table features for 3/7) a client needs.</summary>
public sealed record ProtocolAction(
    int MinReaderVersion,
    int MinWriterVersion,
    IReadOnlyList<string>? ReaderFeatures = null,
    IReadOnlyList<string>? WriterFeatures = null) : DeltaAction
{
    /// <summary>The protocol this library writes: reader 1, writer 2.</summary>
    public static ProtocolAction Default { get; } = new(1, 2);
}
