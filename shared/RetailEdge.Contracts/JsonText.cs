using System.Text.Json;

namespace RetailEdge.Contracts;

/// <summary>
/// Reads a JSON string value without throwing: valid JSON may still escape a lone UTF-16 surrogate
/// (<c>"\ud800"</c>), which <see cref="JsonElement.GetString"/> refuses with an exception. Every
/// validator of network or twin input reads strings through here and turns that into its reason.
/// </summary>
public static class JsonText
{
    /// <summary>The string, or null when the value is not a string or not readable text.</summary>
    public static string? StringOrNull(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
