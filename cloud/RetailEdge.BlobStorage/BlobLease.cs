namespace RetailEdge.BlobStorage;

/// <summary>A blob lease: its id (pass it in <see cref="BlobRequestConditions.LeaseId"/>) and the blob's ETag.</summary>
public sealed record BlobLease(string LeaseId, string? ETag);
