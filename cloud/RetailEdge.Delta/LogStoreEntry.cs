namespace RetailEdge.Delta;

/// <summary>A file in a <see cref="IDeltaLogStore"/>: relative path, size, last modification.</summary>
public sealed record LogStoreEntry(string Path, long Size, DateTimeOffset LastModified);
