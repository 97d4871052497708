using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.IotHub;

/// <summary>The twin as a module reads it: <c>{"desired":{…,"$version":n},"reported":{…,"$version":n}}</c>.</summary>
/// <param name="Desired">desired properties (with <c>$version</c>)</param>
/// <param name="Reported">reported properties (with <c>$version</c>)</param>
public sealed record ModuleTwin(JsonObject Desired, JsonObject Reported)
{
    /// <summary>The desired <c>$version</c> (0 when absent).</summary>
    public long DesiredVersion => ReadVersion(Desired);

    /// <summary>The reported <c>$version</c> (0 when absent).</summary>
    public long ReportedVersion => ReadVersion(Reported);

    /// <summary>Parses a twin GET response body; false with a reason when it is not the expected JSON.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModuleTwin? twin, out string error)
    {
        twin = null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            error = "the twin is not JSON: " + ex.Message;
            return false;
        }
        if (root is not JsonObject obj)
        {
            error = "the twin is not a JSON object";
            return false;
        }
        var desired = obj["desired"] ?? new JsonObject();
        var reported = obj["reported"] ?? new JsonObject();
        if (desired is not JsonObject desiredObject || reported is not JsonObject reportedObject)
        {
            error = "the twin's desired or reported section is not an object";
            return false;
        }
        obj.Remove("desired");
        obj.Remove("reported");
        twin = new ModuleTwin(desiredObject, reportedObject);
        error = string.Empty;
        return true;
    }

    /// <summary>Reads <c>$version</c> of a twin section or patch; 0 when absent or not a number.</summary>
    public static long ReadVersion(JsonObject section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section["$version"] is not JsonValue value)
        {
            return 0;
        }
        if (value.TryGetValue<long>(out var version))
        {
            return version;
        }
        // a value built in memory keeps its CLR type (int); a parsed one is a JSON number
        return value.GetValueKind() == JsonValueKind.Number
            && long.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out version)
            ? version
            : 0;
    }
}
