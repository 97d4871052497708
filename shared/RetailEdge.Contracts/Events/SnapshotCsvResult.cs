namespace RetailEdge.Contracts.Events;

/// <summary>The counts of a CSV file, or why the file was rejected.</summary>
public sealed record SnapshotCsvResult(IReadOnlyList<InventorySnapshotEvent> Events, string? Reason, string? Detail)
{
    public bool IsValid => Reason is null;

    public static SnapshotCsvResult Failed(string reason, string detail) => new([], reason, detail);
}
