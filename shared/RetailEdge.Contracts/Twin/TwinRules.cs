using System.Text;
using System.Text.Json.Nodes;

namespace RetailEdge.Contracts.Twin;

/// <summary>
/// IoT Hub's twin limits (PROTOCOLS.md "Limits and billing"): desired and reported at most
/// 32 KB each, tags 8 KB, one value at most 4 KB, keys at most 1 KB without control
/// characters, '.', '$' or space, nesting depth at most 10, no arrays. Pure functions.
/// </summary>
public static class TwinRules
{
    public const int MaxSectionBytes = 32 * 1024;
    public const int MaxTagsBytes = 8 * 1024;
    public const int MaxValueBytes = 4 * 1024;
    public const int MaxKeyBytes = 1024;
    public const int MaxDepth = 10;

    /// <summary>Validates a patch or document; null values are allowed only in patches (they delete).</summary>
    public static string? Validate(JsonObject node, bool allowNulls) => ValidateObject(node, 1, allowNulls, "");

    /// <summary>The serialized size of a section, compared with the section limit.</summary>
    public static int SizeOf(JsonNode node) => Encoding.UTF8.GetByteCount(node.ToJsonString());

    /// <summary>Merges a patch into a target: null deletes, objects merge recursively, other values replace.</summary>
    public static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject)
            {
                if (target[key] is JsonObject existing)
                {
                    Merge(existing, patchObject);
                }
                else
                {
                    var fresh = new JsonObject();
                    Merge(fresh, patchObject);
                    target[key] = fresh;
                }
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    /// <summary>The patch that turns <paramref name="from"/> into <paramref name="to"/> (removed keys become null).</summary>
    public static JsonObject Diff(JsonObject from, JsonObject to)
    {
        var patch = new JsonObject();
        foreach (var (key, value) in from)
        {
            if (!to.ContainsKey(key))
            {
                patch[key] = null;
            }
        }
        foreach (var (key, value) in to)
        {
            var old = from[key];
            if (value is JsonObject toObject && old is JsonObject fromObject)
            {
                var inner = Diff(fromObject, toObject);
                if (inner.Count > 0)
                {
                    patch[key] = inner;
                }
            }
            else if (!JsonNode.DeepEquals(old, value) || !from.ContainsKey(key))
            {
                patch[key] = value?.DeepClone();
            }
        }
        return patch;
    }

    private static string? ValidateObject(JsonObject node, int depth, bool allowNulls, string path)
    {
        if (depth > MaxDepth)
        {
            return $"'{path}' nests deeper than {MaxDepth} levels";
        }
        foreach (var (key, value) in node)
        {
            var keyError = ValidateKey(key);
            if (keyError is not null)
            {
                return $"key '{Truncate(path + key)}' {keyError}";
            }
            var childPath = path + key + ".";
            switch (value)
            {
                case null when !allowNulls:
                    return $"'{Truncate(path + key)}' is null";
                case null:
                    break;
                case JsonObject child:
                    var error = ValidateObject(child, depth + 1, allowNulls, childPath);
                    if (error is not null)
                    {
                        return error;
                    }
                    break;
                case JsonArray:
                    return $"'{Truncate(path + key)}' is an array; twin properties do not take arrays";
                default:
                    if (Encoding.UTF8.GetByteCount(value.ToJsonString()) > MaxValueBytes)
                    {
                        return $"value of '{Truncate(path + key)}' is larger than {MaxValueBytes} bytes";
                    }
                    break;
            }
        }
        return null;
    }

    private static string? ValidateKey(string key)
    {
        if (key.Length == 0)
        {
            return "is empty";
        }
        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            return $"is longer than {MaxKeyBytes} bytes";
        }
        foreach (var c in key)
        {
            if (char.IsControl(c) || c is '.' or '$' or ' ')
            {
                return "contains a control character, '.', '$' or a space";
            }
        }
        return null;
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
