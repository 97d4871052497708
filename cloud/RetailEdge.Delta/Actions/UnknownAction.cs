using System.Text.Json.Nodes;

namespace RetailEdge.Delta.Actions;

/// <summary>
/// An action this library does not model (cdc, domainMetadata, checkpointMetadata, sidecar, …).
/// Replay ignores it; the protocol check decides whether the table may be read at all.
/// </summary>
public sealed record UnknownAction(string Kind, JsonNode? Value) : DeltaAction;
