namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// Where the disk budget's deletions stand between turns of the writer loop: the step of
/// <see cref="GatewayJournal.EnforceBudget"/> to go on with, and the unsent batches dropped so far.
/// </summary>
public sealed class BudgetSweep
{
    public int Step { get; internal set; }

    public long DroppedBatches { get; internal set; }
}
