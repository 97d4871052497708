using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.Delta;

/// <summary>The `_last_checkpoint` hint (PROTOCOL.md "Last Checkpoint File").</summary>
public sealed record LastCheckpoint(long Version, long Size, int? Parts = null, bool IsV2 = false)
{
    /// <summary>Parses the hint; null when it is corrupt (the reader then lists the log instead).</summary>
    public static LastCheckpoint? TryParse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            if (JsonNode.Parse(utf8) is not JsonObject json
                || json["version"] is not JsonValue v || !v.TryGetValue(out long version) || version < 0)
            {
                return null;
            }
            long size = json["size"] is JsonValue s && s.TryGetValue(out long sz) ? sz : 0;
            int? parts = json["parts"] is JsonValue p && p.TryGetValue(out int pp) ? pp : null;
            return new LastCheckpoint(version, size, parts, json["v2Checkpoint"] is not null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public byte[] ToJsonBytes()
    {
        var json = new JsonObject { ["version"] = Version, ["size"] = Size };
        if (Parts is not null)
        {
            json["parts"] = Parts;
        }
        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}
