namespace RetailEdge.ReferencePublishing;

/// <summary>Whether a module twin needs a patch for its store's set, and why (printed by `--dry-run`).</summary>
public sealed record ReferenceTwinDecision(bool NeedsPatch, string? CurrentVersion, string Reason);
