namespace RetailEdge.Delta.Actions;

/// <summary>
/// One line of a Delta commit file (PROTOCOL.md "Actions"). Known actions are typed; unknown
/// ones are kept as <see cref="UnknownAction"/> so replay tolerates newer writers.
/// </summary>
public abstract record DeltaAction;
