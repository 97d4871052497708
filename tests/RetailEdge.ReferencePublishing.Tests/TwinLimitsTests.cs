using System.Text.Json.Nodes;
using RetailEdge.Contracts.Reference;

namespace RetailEdge.ReferencePublishing.Tests;

public class TwinLimitsTests
{
    [Fact]
    public void Check_LargestInlineSetBesideSettings_WithinLimits()
    {
        var payload = new byte[ReferenceDataPointer.MaxInlineChars / 4 * 3];
        Random.Shared.NextBytes(payload);
        var desired = ReferenceTwinPatch.Merge(new JsonObject { ["sendIntervalSeconds"] = 60, ["$version"] = 4 },
            ReferenceTwinPatch.Build(ReferenceDataPointer.Inline(payload), []));

        Assert.Null(TwinLimits.Check(desired));
    }

    [Theory]
    [InlineData("total")]
    [InlineData("value")]
    [InlineData("key")]
    [InlineData("depth")]
    [InlineData("array")]
    public void Check_BrokenLimit_NamesIt(string limit)
    {
        JsonNode Deep(int levels) => levels == 0 ? JsonValue.Create(1) : new JsonObject { ["a"] = Deep(levels - 1) };
        var desired = limit switch
        {
            "total" => new JsonObject { ["a"] = new string('x', 3000), ["b"] = new JsonObject(Enumerable.Range(0, 11).Select(i => KeyValuePair.Create("k" + i, (JsonNode?)new string('y', 3000)))) },
            "value" => new JsonObject { ["a"] = new string('x', 4097) },
            "key" => new JsonObject { ["bad.key"] = 1 },
            "depth" => new JsonObject { ["a"] = Deep(10) },
            _ => new JsonObject { ["a"] = new JsonArray(1, 2) },
        };

        var error = TwinLimits.Check(desired);

        Assert.NotNull(error);
        Assert.Contains(limit switch { "total" => "32768", "value" => "4096", "key" => "'.'", "depth" => "10 levels", _ => "arrays" }, error, StringComparison.Ordinal);
    }
}
