namespace RetailEdge.BlobStorage;

/// <summary>Optional settings of a write.</summary>
public sealed record BlobUploadOptions
{
    /// <summary>Conditions on the target blob, e.g. <see cref="BlobRequestConditions.IfNotExists"/>.</summary>
    public BlobRequestConditions? Conditions { get; init; }

    /// <summary>Content-Type stored with the blob (default application/octet-stream).</summary>
    public string? ContentType { get; init; }

    /// <summary>User metadata (x-ms-meta-*): names are C# identifiers, values printable ASCII.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
