namespace RetailEdge.BlobStorage;

/// <summary>System properties and metadata of a blob (Get Blob Properties / List Blobs).</summary>
public sealed record BlobProperties
{
    public required string Name { get; init; }

    /// <summary>The ETag as the service returns it (quoted), for If-Match.</summary>
    public required string ETag { get; init; }

    public DateTimeOffset LastModified { get; init; }

    public long ContentLength { get; init; }

    public string? ContentType { get; init; }

    /// <summary>BlockBlob, AppendBlob or PageBlob.</summary>
    public string? BlobType { get; init; }

    /// <summary>available, leased, expired, breaking or broken.</summary>
    public string? LeaseState { get; init; }

    /// <summary>locked or unlocked.</summary>
    public string? LeaseStatus { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
