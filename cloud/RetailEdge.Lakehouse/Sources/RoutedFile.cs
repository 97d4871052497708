namespace RetailEdge.Lakehouse;

/// <summary>A routed file/blob: its name relative to the source root ('/' separators).</summary>
public sealed record RoutedFile(string Name, long Length, DateTimeOffset LastModified);
