using System.Text.Json.Nodes;

namespace RetailEdge.Deployment;

/// <summary>
/// Reads a path through a manifest that may have any shape: JsonNode's indexer throws when a node on the
/// way is a value or an array (a manifest written by hand), this gives null instead.
/// </summary>
internal static class JsonWalk
{
    public static JsonNode? Get(JsonNode? node, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (node is not JsonObject obj)
            {
                return null;
            }
            node = obj[name];
        }
        return node;
    }

    public static string? GetString(JsonNode? node, params ReadOnlySpan<string> names) =>
        Get(node, names) is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;
}
