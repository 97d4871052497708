using System.Text.Json.Nodes;

namespace RetailEdge.HubEmulator.Twins;

/// <summary>
/// The result of a twin operation: the status, the new version of the changed section
/// (desired or reported), the twin document for service callers, and a reason when rejected.
/// </summary>
public sealed record TwinUpdateResult(TwinUpdateStatus Status, long Version, JsonObject? Twin, string? Error)
{
    public static TwinUpdateResult Fail(TwinUpdateStatus status, string error) => new(status, 0, null, error);
}
