using System.Text.Json.Serialization;

namespace RetailEdge.Lakehouse;

/// <summary>
/// A routed file as landed: its name and its content (length, SHA-256), so a file whose name was
/// landed but whose content changed is recognised (ARCHITECTURE.md §9 "Source"). The listing's
/// modification time is kept to skip rehashing files that did not change.
/// </summary>
public sealed record LandedFile(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("length")] long Length,
    [property: JsonPropertyName("lastModified")] DateTimeOffset LastModified,
    [property: JsonPropertyName("sha256")] string Sha256);
