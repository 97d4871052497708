namespace RetailEdge.BlobStorage;

/// <summary>One page of List Blobs: blobs, virtual folders (with a delimiter), and the marker of the next page.</summary>
public sealed record BlobListPage(IReadOnlyList<BlobProperties> Blobs, IReadOnlyList<string> Prefixes, string? NextMarker);
