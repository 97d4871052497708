namespace RetailEdge.Delta.Storage;

/// <summary>What a vacuum deleted (or would delete, on a dry run), and what it kept because it is younger than the retention.</summary>
public sealed record DeltaVacuumResult(IReadOnlyList<string> Deleted, int KeptWithinRetention, bool DryRun);
