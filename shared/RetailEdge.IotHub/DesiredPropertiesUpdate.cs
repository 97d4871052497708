using System.Text.Json.Nodes;

namespace RetailEdge.IotHub;

/// <summary>
/// Desired properties delivered to the module: the full desired section after every (re)connect
/// (<see cref="IsFullTwin"/>), then patches with a higher <see cref="Version"/> only.
/// </summary>
/// <param name="Properties">the full desired properties or the patch (including <c>$version</c>)</param>
/// <param name="Version">the desired <c>$version</c></param>
/// <param name="IsFullTwin">true when this is the whole desired section read with a twin GET</param>
public sealed record DesiredPropertiesUpdate(JsonObject Properties, long Version, bool IsFullTwin);
