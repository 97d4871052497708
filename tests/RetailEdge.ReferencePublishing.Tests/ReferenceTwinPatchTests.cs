using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Contracts.Reference;

namespace RetailEdge.ReferencePublishing.Tests;

public class ReferenceTwinPatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static StoreReferenceSet SetOf(int items, decimal price = 1.99m) =>
        ReferenceSetPlanner.Plan(new ReferenceTablesBuilder().WithStores(1).WithItems(items, price).Build()).Sets[0];

    /// <summary>The desired properties after the hub merged the patch, as the twin would hold them.</summary>
    private static JsonObject Applied(JsonObject desired, JsonObject patch) => ReferenceTwinPatch.Merge(desired, patch);

    private static ReferenceDataPointer PointerIn(JsonObject desired)
    {
        using var document = JsonDocument.Parse(desired[ReferenceTwinPatch.PropertyName]!.ToJsonString());
        var (pointer, error) = ReferenceDataPointer.Parse(document.RootElement);
        Assert.Null(error);
        return pointer!;
    }

    [Fact]
    public void Decide_NoReferenceData_Patch()
    {
        var decision = ReferenceTwinPatch.Decide(SetOf(3), new JsonObject { ["sendIntervalSeconds"] = 60 }, Now, TimeSpan.FromDays(2));

        Assert.True(decision.NeedsPatch);
        Assert.Null(decision.CurrentVersion);
    }

    [Fact]
    public void Decide_SameVersionInline_NoPatch_OtherVersion_Patch()
    {
        var set = SetOf(3);
        var desired = Applied([], ReferenceTwinPatch.Build(ReferenceDataPointer.Inline(set.Payload), []));

        Assert.False(ReferenceTwinPatch.Decide(set, desired, Now, TimeSpan.FromDays(2)).NeedsPatch);
        var changed = ReferenceTwinPatch.Decide(SetOf(3, 2.49m), desired, Now, TimeSpan.FromDays(2));
        Assert.True(changed.NeedsPatch);
        Assert.Equal(set.Version, changed.CurrentVersion);
    }

    [Fact]
    public void Decide_UrlExpiringSoon_Patch_UrlValidLonger_NoPatch()
    {
        var set = SetOf(8000);
        JsonObject DesiredWith(DateTimeOffset expiry) => Applied([], ReferenceTwinPatch.Build(ReferenceDataPointer.Remote(set.Payload,
            new Uri($"https://account.blob.core.windows.net/lake/_published/reference/{set.Sha256}.json.gz?sv=2025-01-05&se={Uri.EscapeDataString(expiry.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture))}&sr=b&sp=r&sig=abc")), []));

        Assert.True(ReferenceTwinPatch.Decide(set, DesiredWith(Now.AddDays(1)), Now, TimeSpan.FromDays(2)).NeedsPatch);
        Assert.True(ReferenceTwinPatch.Decide(set, DesiredWith(Now.AddDays(-1)), Now, TimeSpan.FromDays(2)).NeedsPatch);
        Assert.False(ReferenceTwinPatch.Decide(set, DesiredWith(Now.AddDays(6)), Now, TimeSpan.FromDays(2)).NeedsPatch);
    }

    [Fact]
    public void Decide_InvalidReferenceDataInTwin_Patch()
    {
        var decision = ReferenceTwinPatch.Decide(SetOf(1), new JsonObject { ["referenceData"] = new JsonObject { ["sha256"] = "x" } }, Now, TimeSpan.Zero);

        Assert.True(decision.NeedsPatch);
        Assert.Contains("not valid", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SmallerInlineSet_DeletesTheChunksItNoLongerHas()
    {
        var large = SetOf(900);
        var small = SetOf(2);
        var desired = Applied([], ReferenceTwinPatch.Build(ReferenceDataPointer.Inline(large.Payload), []));
        Assert.True(PointerIn(desired).Chunks.Count > 1);

        var after = Applied(desired, ReferenceTwinPatch.Build(ReferenceDataPointer.Inline(small.Payload), desired));

        var pointer = PointerIn(after);
        Assert.Single(pointer.Chunks);
        Assert.Equal(small.Payload, pointer.InlinePayload());
    }

    [Fact]
    public void Build_InlineThenUrlThenInline_EachTimeOnlyTheNewFormRemains()
    {
        var inline = SetOf(2);
        var remote = SetOf(8000);
        var desired = Applied([], ReferenceTwinPatch.Build(ReferenceDataPointer.Inline(inline.Payload), []));

        desired = Applied(desired, ReferenceTwinPatch.Build(ReferenceDataPointer.Remote(remote.Payload, new Uri("https://a.blob.core.windows.net/c/x.gz")), desired));
        Assert.False(desired["referenceData"]!.AsObject().ContainsKey("chunks"));
        Assert.Equal(remote.Version, PointerIn(desired).Version);

        desired = Applied(desired, ReferenceTwinPatch.Build(ReferenceDataPointer.Inline(inline.Payload), desired));
        Assert.False(desired["referenceData"]!.AsObject().ContainsKey("url"));
        Assert.Equal(inline.Payload, PointerIn(desired).InlinePayload());
    }

    [Fact]
    public void SasExpiry_ReadsSe_NullWithout()
    {
        Assert.Equal(new DateTimeOffset(2026, 12, 12, 8, 30, 0, TimeSpan.Zero),
            ReferenceTwinPatch.SasExpiry(new Uri("http://127.0.0.1:10000/devstoreaccount1/lake/x.gz?sv=2026-10-06&se=2026-12-12T08%3A30%3A00Z&sr=b&sp=r&sig=s")));
        Assert.Null(ReferenceTwinPatch.SasExpiry(new Uri("file:///lake/_published/reference/x.gz")));
    }
}
