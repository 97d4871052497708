using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace RetailEdge.Contracts;

/// <summary>
/// Reads a contract type from JSON that someone else wrote (a twin's reported properties): one value of the
/// wrong type must not cost the reader every other value, which is what a plain deserialization does. Each
/// property that does not fit its member is left out (the member keeps its default) and named in the result.
/// Unknown properties are ignored, as the serializer does.
/// </summary>
public static class TolerantJson
{
    public static T Deserialize<T>(JsonObject json, JsonTypeInfo<T> typeInfo, out IReadOnlyList<string> invalid)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var fitting = new JsonObject();
        var rejected = new List<string>();
        foreach (var (name, value) in json)
        {
            var single = new JsonObject { [name] = value?.DeepClone() };
            if (TryDeserialize(single, typeInfo) is null)
            {
                rejected.Add(name);
                continue;
            }
            fitting[name] = value?.DeepClone();
        }
        invalid = rejected;
        return TryDeserialize(fitting, typeInfo)
            ?? throw new InvalidOperationException($"{typeof(T).Name} could not be read from properties that each fit on their own");
    }

    private static T? TryDeserialize<T>(JsonObject json, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return json.Deserialize(typeInfo);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // InvalidOperationException: a string with a lone surrogate; FormatException: a malformed date
            return null;
        }
    }
}
