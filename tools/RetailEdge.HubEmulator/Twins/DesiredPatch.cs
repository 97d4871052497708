using System.Text.Json.Nodes;
using RetailEdge.HubEmulator.Registry;

namespace RetailEdge.HubEmulator.Twins;

/// <summary>A desired-properties patch to push to a connected identity; <see cref="Patch"/> carries "$version".</summary>
public sealed record DesiredPatch(IdentityKey Identity, long Version, JsonObject Patch);
