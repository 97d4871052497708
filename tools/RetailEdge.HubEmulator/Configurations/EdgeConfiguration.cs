using System.Globalization;
using System.Text.Json.Nodes;
using RetailEdge.HubEmulator.Query;

namespace RetailEdge.HubEmulator.Configurations;

/// <summary>One IoT Edge configuration as the emulator keeps it: its content checked once, its target condition parsed once.</summary>
internal sealed record EdgeConfiguration(
    string Id,
    JsonObject Content,
    IReadOnlyDictionary<string, JsonObject> DesiredByModule,
    string TargetCondition,
    TwinQuery Query,
    int Priority,
    JsonObject Labels)
{
    public DateTimeOffset CreatedTimeUtc { get; init; }

    public DateTimeOffset LastUpdatedTimeUtc { get; init; }

    /// <summary>Grows with every update; the ETag is derived from it.</summary>
    public long Version { get; init; }

    public string ETag => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Version.ToString(CultureInfo.InvariantCulture)));
}
