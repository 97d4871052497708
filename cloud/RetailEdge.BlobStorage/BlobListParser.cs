using System.Globalization;
using System.Xml.Linq;

namespace RetailEdge.BlobStorage;

/// <summary>Parses the List Blobs response body (EnumerationResults). Pure.</summary>
internal static class BlobListParser
{
    public static BlobListPage Parse(XDocument document)
    {
        var root = document.Root ?? throw new FormatException("List Blobs returned an empty document.");
        var blobs = new List<BlobProperties>();
        var prefixes = new List<string>();
        var container = root.Element("Blobs");
        if (container is not null)
        {
            foreach (var blob in container.Elements("Blob"))
            {
                var properties = blob.Element("Properties");
                blobs.Add(new BlobProperties
                {
                    Name = Name(blob),
                    ETag = properties?.Element("Etag")?.Value ?? string.Empty,
                    LastModified = DateTimeOffset.TryParse(properties?.Element("Last-Modified")?.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var modified) ? modified : default,
                    ContentLength = long.TryParse(properties?.Element("Content-Length")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var length) ? length : 0,
                    ContentType = NullIfEmpty(properties?.Element("Content-Type")?.Value),
                    BlobType = NullIfEmpty(properties?.Element("BlobType")?.Value),
                    LeaseState = NullIfEmpty(properties?.Element("LeaseState")?.Value),
                    LeaseStatus = NullIfEmpty(properties?.Element("LeaseStatus")?.Value),
                    Metadata = blob.Element("Metadata")?.Elements().ToDictionary(e => e.Name.LocalName, e => e.Value, StringComparer.OrdinalIgnoreCase)
                               ?? new Dictionary<string, string>(),
                });
            }
            prefixes.AddRange(container.Elements("BlobPrefix").Select(Name));
        }
        return new BlobListPage(blobs, prefixes, NullIfEmpty(root.Element("NextMarker")?.Value));
    }

    /// <summary>Names with characters XML cannot carry come percent-encoded, flagged Encoded="true".</summary>
    private static string Name(XElement element)
    {
        var name = element.Element("Name") ?? throw new FormatException("A List Blobs entry has no Name.");
        return string.Equals((string?)name.Attribute("Encoded"), "true", StringComparison.OrdinalIgnoreCase)
            ? Uri.UnescapeDataString(name.Value)
            : name.Value;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
