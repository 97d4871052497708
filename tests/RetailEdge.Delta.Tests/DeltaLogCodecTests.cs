using System.Text;
using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta.Tests;

public sealed class DeltaLogCodecTests
{
    [Fact]
    public void SerializeThenParse_AllActions_RoundTrip()
    {
        var metadata = new MetadataAction("id-1", new DeltaSchema([new DeltaField("a", DeltaType.Long)]).ToJsonString(), ["a"],
            new Dictionary<string, string?> { ["k"] = "v" }, 5);
        var add = new AddAction("a=1/f.parquet", new Dictionary<string, string?> { ["a"] = "1" }, 10, 20, true, "{\"numRecords\":3}");
        var remove = new RemoveAction("a=2/g.parquet", 30, false, new Dictionary<string, string?> { ["a"] = null }, 11, true);
        var txn = new TxnAction("app", 4, 50);
        var info = CommitInfoAction.Create(60, "WRITE", null, 3, true);

        var bytes = DeltaLogCodec.SerializeCommit([ProtocolAction.Default, metadata, add, remove, txn, info]);
        var parsed = DeltaLogCodec.ParseCommit(bytes, "test");

        Assert.IsType<CommitInfoAction>(parsed[0]);
        Assert.Equal(ProtocolAction.Default with { }, parsed.OfType<ProtocolAction>().Single());
        var m = parsed.OfType<MetadataAction>().Single();
        Assert.Equal(["a"], m.PartitionColumns);
        Assert.Equal("v", m.Configuration["k"]);
        Assert.Equal("a", m.Schema.Fields.Single().Name);
        var a = parsed.OfType<AddAction>().Single();
        Assert.Equal(3, a.ParsedStats!.NumRecords);
        Assert.Equal("1", a.PartitionValues["a"]);
        var r = parsed.OfType<RemoveAction>().Single();
        Assert.Null(r.PartitionValues!["a"]);
        Assert.False(r.DataChange);
        Assert.Equal(txn, parsed.OfType<TxnAction>().Single());
        Assert.Equal(3, parsed.OfType<CommitInfoAction>().Single().ReadVersion);
    }

    [Fact]
    public void ParseCommit_UnknownActionAndBlankLines_AreTolerated()
    {
        var text = "{\"cdc\":{\"path\":\"x\"}}\n\n{\"domainMetadata\":{\"domain\":\"d\"}}\n";

        var parsed = DeltaLogCodec.ParseCommit(Encoding.UTF8.GetBytes(text), "test");

        Assert.Equal(["cdc", "domainMetadata"], parsed.Cast<UnknownAction>().Select(u => u.Kind));
    }

    [Fact]
    public void ParseCommit_MalformedLine_ThrowsNamingFileAndLine()
    {
        var text = "{\"txn\":{\"appId\":\"a\",\"version\":1}}\n{\"add\":{\"size\":1}}\n";

        var error = Assert.Throws<DeltaException>(() => DeltaLogCodec.ParseCommit(Encoding.UTF8.GetBytes(text), "00.json"));

        Assert.Contains("00.json line 2", error.Message, StringComparison.Ordinal);
    }
}
