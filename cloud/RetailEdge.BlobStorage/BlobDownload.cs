namespace RetailEdge.BlobStorage;

/// <summary>A downloaded blob (or range): its bytes and properties.</summary>
public sealed record BlobDownload(ReadOnlyMemory<byte> Content, BlobProperties Properties)
{
    /// <summary>The blob's total length (Content-Range for a range read).</summary>
    public long TotalLength { get; init; }
}
