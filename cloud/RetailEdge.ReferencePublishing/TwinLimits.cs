using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.ReferencePublishing;

/// <summary>
/// IoT Hub's limits on a twin's desired properties (PROTOCOLS.md "Limits"): at most 32 KB in total,
/// one value at most 4 KB, keys at most 1 KB without control characters, '.', '$' or space, and at
/// most 10 levels deep. The hub refuses a patch that breaks them; checking first gives the operator
/// the reason instead of a 400 per store.
/// </summary>
public static class TwinLimits
{
    public const int MaxDesiredBytes = 32 * 1024;
    public const int MaxValueBytes = 4 * 1024;
    public const int MaxKeyBytes = 1024;
    public const int MaxDepth = 10;

    /// <summary>Null when <paramref name="desired"/> (metadata keys starting with '$' aside) is within the limits, else the first rule it breaks.</summary>
    public static string? Check(JsonObject desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var size = 0;
        foreach (var (key, value) in desired)
        {
            if (key.StartsWith('$'))
            {
                continue;
            }
            if (CheckNode(key, value, 1, key) is { } error)
            {
                return error;
            }
            size += Encoding.UTF8.GetByteCount(key) + 4 + (value is null ? 4 : Encoding.UTF8.GetByteCount(value.ToJsonString()));
        }
        return size > MaxDesiredBytes ? $"desired properties would be {size} bytes, more than the twin limit of {MaxDesiredBytes}" : null;
    }

    private static string? CheckNode(string key, JsonNode? value, int depth, string path)
    {
        if (KeyError(key) is { } keyError)
        {
            return $"{path}: {keyError}";
        }
        if (depth > MaxDepth)
        {
            return $"{path}: deeper than {MaxDepth} levels";
        }
        switch (value)
        {
            case JsonObject child:
                foreach (var (childKey, childValue) in child)
                {
                    if (CheckNode(childKey, childValue, depth + 1, path + "." + childKey) is { } error)
                    {
                        return error;
                    }
                }
                return null;
            case JsonArray:
                return $"{path}: arrays are not allowed in twin properties";
            case JsonValue leaf when leaf.GetValueKind() == JsonValueKind.String && Encoding.UTF8.GetByteCount(leaf.GetValue<string>()) > MaxValueBytes:
                return $"{path}: a value longer than {MaxValueBytes} bytes";
            default:
                return null;
        }
    }

    private static string? KeyError(string key)
    {
        if (key.Length == 0 || Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            return $"a key must have 1 to {MaxKeyBytes} bytes";
        }
        foreach (var c in key)
        {
            if (char.IsControl(c) || c is '.' or '$' or ' ')
            {
                return "a key must not hold control characters, '.', '$' or space";
            }
        }
        return null;
    }
}
