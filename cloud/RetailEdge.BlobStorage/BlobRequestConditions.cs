namespace RetailEdge.BlobStorage;

/// <summary>Conditions for a write, read or delete (Specifying conditional headers for Blob service operations).</summary>
public sealed record BlobRequestConditions
{
    /// <summary>Create-only: fail with <see cref="BlobAlreadyExistsException"/> when the blob exists.</summary>
    public static BlobRequestConditions IfNotExists { get; } = new() { IfNoneMatch = "*" };

    /// <summary>Only when the blob's ETag is this one (optimistic concurrency); "*" = when it exists.</summary>
    public string? IfMatch { get; init; }

    /// <summary>Only when the blob's ETag is not this one; "*" = only when it does not exist.</summary>
    public string? IfNoneMatch { get; init; }

    public DateTimeOffset? IfModifiedSince { get; init; }

    public DateTimeOffset? IfUnmodifiedSince { get; init; }

    /// <summary>The active lease on the blob, required to write or delete a leased blob.</summary>
    public string? LeaseId { get; init; }

    /// <summary>Only when the blob's ETag is <paramref name="etag"/>.</summary>
    public static BlobRequestConditions IfMatchETag(string etag) => new() { IfMatch = etag };
}
