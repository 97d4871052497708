using System.Text.Json;

namespace RetailEdge.Contracts;

/// <summary>
/// Parses JSON from the network with duplicate property names refused: an object with two
/// <c>seq</c> or two <c>Body</c> members is ambiguous (readers disagree on which one wins), so
/// it is rejected with its own reason instead of being read last-key-wins.
/// </summary>
public static class StrictJson
{
    /// <summary>The document, or null with <paramref name="duplicateKey"/> (valid JSON that repeats a member) or a syntax error.</summary>
    public static JsonDocument? TryParse(ReadOnlyMemory<byte> json, int maxDepth, out bool duplicateKey, out string? error)
    {
        duplicateKey = false;
        try
        {
            error = null;
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            error = e.Message;
        }
        // Only bad input gets here: parse again allowing duplicates to tell the two failures apart.
        try
        {
            using var lenient = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
            duplicateKey = true;
            error = "a JSON object repeats a property name (ambiguous): " + error;
        }
        catch (JsonException)
        {
            // a syntax error: the first message stands
        }
        return null;
    }
}
