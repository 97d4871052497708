namespace RetailEdge.Delta.Tests;

public sealed class DeltaLogFileTests
{
    [Theory]
    [InlineData("00000000000000000012.json", DeltaLogFileKind.Commit, 12, 1, 1)]
    [InlineData("00000000000000000010.checkpoint.parquet", DeltaLogFileKind.Checkpoint, 10, 1, 1)]
    [InlineData("00000000000000000010.checkpoint.0000000002.0000000003.parquet", DeltaLogFileKind.CheckpointPart, 10, 2, 3)]
    [InlineData("_last_checkpoint", DeltaLogFileKind.LastCheckpoint, -1, 1, 1)]
    [InlineData("00000000000000000012.crc", DeltaLogFileKind.Other, 12, 1, 1)]
    [InlineData(".00000000000000000012.json.crc", DeltaLogFileKind.Other, -1, 1, 1)]
    [InlineData("00000000000000000002.checkpoint.6374b053-df23-479b-b2cf-c9c550132b49.json", DeltaLogFileKind.Other, 2, 1, 1)]
    [InlineData(".00000000000000000013.json.1234.tmp", DeltaLogFileKind.Other, -1, 1, 1)]
    [InlineData("00000000000000000010.checkpoint.0000000004.0000000003.parquet", DeltaLogFileKind.Other, 10, 1, 1)]
    public void Classify_Name_GivesKindVersionAndParts(string name, DeltaLogFileKind kind, long version, int part, int parts)
    {
        var file = DeltaLogFile.Classify(name);

        Assert.Equal(kind, file.Kind);
        Assert.Equal(version, file.Version);
        Assert.Equal(part, file.Part);
        Assert.Equal(parts, file.Parts);
    }

    [Fact]
    public void Names_RoundTripThroughClassify()
    {
        Assert.Equal(DeltaLogFileKind.Commit, DeltaLogFile.Classify(DeltaLogFile.CommitName(7)).Kind);
        Assert.Equal(DeltaLogFileKind.Checkpoint, DeltaLogFile.Classify(DeltaLogFile.CheckpointName(70)).Kind);
        Assert.Equal(5, DeltaLogFile.Classify(DeltaLogFile.CheckpointPartName(70, 5, 9)).Part);
    }
}
