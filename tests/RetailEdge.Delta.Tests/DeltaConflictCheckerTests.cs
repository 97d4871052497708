using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta.Tests;

public sealed class DeltaConflictCheckerTests
{
    private static DeltaSnapshot Snapshot()
    {
        var builder = new DeltaSnapshotBuilder();
        builder.ApplyCommit(0,
        [
            ProtocolAction.Default,
            new MetadataAction("id", new DeltaSchema([new DeltaField("a", DeltaType.Long), new DeltaField("p", DeltaType.String)]).ToJsonString(), ["p"], new Dictionary<string, string?>()),
            Add("p=x/1.parquet", "x"),
        ]);
        return builder.Build();
    }

    private static AddAction Add(string path, string p) => new(path, new Dictionary<string, string?> { ["p"] = p }, 1, 1, true);

    [Fact]
    public void FindConflict_BlindAppendAfterAppend_None()
    {
        var mine = new DeltaTransaction(Snapshot(), "WRITE").Add(Add("p=x/2.parquet", "x"));

        Assert.Null(DeltaConflictChecker.FindConflict(mine, 1, [Add("p=x/3.parquet", "x")]));
    }

    [Fact]
    public void FindConflict_PartitionOverwriteAfterAppendToThatPartition_Conflict()
    {
        var mine = new DeltaTransaction(Snapshot(), "WRITE") { ReadPartitions = [new Dictionary<string, string?> { ["p"] = "x" }] };

        Assert.NotNull(DeltaConflictChecker.FindConflict(mine, 1, [Add("p=x/3.parquet", "x")]));
        Assert.Null(DeltaConflictChecker.FindConflict(mine, 1, [Add("p=y/3.parquet", "y")]));
    }

    [Fact]
    public void FindConflict_CompactionAfterDeleteOfSameFile_Conflict()
    {
        var mine = new DeltaTransaction(Snapshot(), "OPTIMIZE").Add(new RemoveAction("p=x/1.parquet", 1, false));

        Assert.NotNull(DeltaConflictChecker.FindConflict(mine, 1, [new RemoveAction("p%3Dx/1.parquet".Replace("%3D", "=", StringComparison.Ordinal), 2, true)]));
        Assert.Null(DeltaConflictChecker.FindConflict(mine, 1, [Add("p=x/9.parquet", "x")]));
    }

    [Fact]
    public void FindConflict_MetadataOrProtocolChange_Conflict()
    {
        var mine = new DeltaTransaction(Snapshot(), "WRITE").Add(Add("p=x/2.parquet", "x"));

        Assert.NotNull(DeltaConflictChecker.FindConflict(mine, 1, [ProtocolAction.Default]));
        Assert.NotNull(DeltaConflictChecker.FindConflict(mine, 1, [Snapshot().Metadata]));
    }

    [Fact]
    public void Validate_TwoAddsForOnePath_Throws()
    {
        var mine = new DeltaTransaction(Snapshot(), "WRITE").Add(Add("p=x/2.parquet", "x")).Add(Add("p%3Dx/2.parquet".Replace("%3D", "=", StringComparison.Ordinal), "x"));

        Assert.Throws<DeltaException>(mine.Validate);
    }
}
