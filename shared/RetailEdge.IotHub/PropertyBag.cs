using System.Text;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHub;

/// <summary>
/// The property bag that ends an IoT Hub telemetry or input topic: URL-encoded <c>k=v&amp;k=v</c>
/// (PROTOCOLS.md "Telemetry"). System properties use <c>$.</c> keys (<see cref="IotHubSystemProperties"/>).
/// Pure.
/// </summary>
public static class PropertyBag
{
    /// <summary>Bags with more entries than this are refused when parsing (network input is bounded).</summary>
    public const int MaxEntries = 256;

    /// <summary>
    /// Encodes properties in the order given; keys and values are URL encoded (lower-case hex, space
    /// as <c>%20</c>: a <c>+</c> would be an MQTT wildcard, forbidden in a topic name).
    /// </summary>
    public static string Encode(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var builder = new StringBuilder();
        foreach (var (key, value) in properties)
        {
            ArgumentException.ThrowIfNullOrEmpty(key, nameof(properties));
            if (builder.Length > 0)
            {
                builder.Append('&');
            }
            builder.Append(IotHubUrlEncoding.Encode(key, spaceAsPlus: false));
            // the SDK writes a key without '=' for a null value; an empty string keeps its '='
            if (value is not null)
            {
                builder.Append('=').Append(IotHubUrlEncoding.Encode(value, spaceAsPlus: false));
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// Decodes a bag. A key without '=' gets an empty value; a repeated key keeps the last value.
    /// Returns false with a reason for bad escapes, empty keys or too many entries.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> bag, out Dictionary<string, string> properties, out string error)
    {
        properties = new Dictionary<string, string>(StringComparer.Ordinal);
        error = string.Empty;
        if (bag.IsEmpty)
        {
            return true;
        }
        var count = 0;
        foreach (var range in bag.Split('&'))
        {
            var part = bag[range];
            if (part.IsEmpty)
            {
                continue;
            }
            if (++count > MaxEntries)
            {
                error = $"the property bag has more than {MaxEntries} entries";
                return false;
            }
            var equals = part.IndexOf('=');
            var rawKey = equals < 0 ? part : part[..equals];
            var rawValue = equals < 0 ? ReadOnlySpan<char>.Empty : part[(equals + 1)..];
            if (rawKey.IsEmpty)
            {
                error = "the property bag has an entry without a name";
                return false;
            }
            if (!IotHubUrlEncoding.TryDecode(rawKey, out var key) || !IotHubUrlEncoding.TryDecode(rawValue, out var value))
            {
                error = "the property bag has an invalid URL escape";
                return false;
            }
            properties[key] = value;
        }
        return true;
    }
}
