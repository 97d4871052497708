namespace RetailEdge.BlobStorage;

/// <summary>What a successful write returned: the new ETag (for later If-Match) and time.</summary>
public sealed record BlobWriteResult(string ETag, DateTimeOffset LastModified);
