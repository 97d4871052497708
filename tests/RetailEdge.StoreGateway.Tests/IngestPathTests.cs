using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

public class IngestPathTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.FromHours(1));

    [Fact]
    public async Task SnapshotFolder_ValidAndBadFiles_MovedToDoneOrRejectedWithReason()
    {
        using var directory = new TempDirectory("gateway-csv");
        var drop = directory.Combine("drop");
        Directory.CreateDirectory(drop);
        var count = new InventorySnapshotEvent { Id = "x", StoreId = 1, Ts = Now.AddHours(-1), EmployeeId = "E7", Counts = [new InventoryLine(100001, 12m), new InventoryLine(100002, 3m)] };
        await File.WriteAllTextAsync(Path.Combine(drop, "a-count.csv"), SnapshotCsv.Format(count));
        await File.WriteAllTextAsync(Path.Combine(drop, "b-header.csv"), "sku,qty\n1,2\n");
        await File.WriteAllTextAsync(Path.Combine(drop, "c-store.csv"), SnapshotCsv.Format(count with { StoreId = 2 }));
        await using var host = await GatewayHost.StartAsync(directory.Combine("data"), Now, new Dictionary<string, string?>
        {
            ["StoreGateway:SnapshotFolder"] = drop,
            ["StoreGateway:SnapshotPollInterval"] = "00:00:00.100",
        });

        await GatewayModuleTestsSupport.WaitUntilAsync(() => !Directory.EnumerateFiles(drop, "*.csv").Any());

        Assert.True(File.Exists(Path.Combine(drop, "done", "a-count.csv")));
        Assert.StartsWith("missing_field:header", await File.ReadAllTextAsync(Path.Combine(drop, "rejected", "b-header.csv.reason")), StringComparison.Ordinal);
        Assert.StartsWith("wrong_store", await File.ReadAllTextAsync(Path.Combine(drop, "rejected", "c-store.csv.reason")), StringComparison.Ordinal);
        var status = await host.Engine.GetStatusAsync(CancellationToken.None);
        Assert.Equal(1, status.Accepted);
        // The same file dropped again is the same count (ids come from the content): a duplicate, not a second count.
        await File.WriteAllTextAsync(Path.Combine(drop, "a-count-again.csv"), SnapshotCsv.Format(count));
        await GatewayModuleTestsSupport.WaitUntilAsync(() => File.Exists(Path.Combine(drop, "done", "a-count-again.csv")));
        Assert.Equal(1, (await host.Engine.GetStatusAsync(CancellationToken.None)).Accepted);
    }

    [Fact]
    public async Task PostEvents_JsonArrayAndOversizedBody_PerEventResultsAnd413()
    {
        using var directory = new TempDirectory("gateway-http");
        await using var host = await GatewayHost.StartAsync(directory.Path, Now, new Dictionary<string, string?> { ["StoreGateway:MaxRequestBytes"] = "100000" });
        using var http = host.CreateClient();
        var basket = Encoding.UTF8.GetString(StoreEventJson.Serialize(new BasketEvent
        {
            Id = "arr-1", StoreId = 1, Ts = Now.AddMinutes(-1), LaneId = "L1", Channel = Channels.Store, Lines = [new BasketLine(5, 1m, 1m)],
        }));
        var array = $$"""[{{basket}}, {"type":"basket","id":"arr-2","storeId":1,"ts":"yesterday"}, {{basket}}, 42]""";

        using var response = await http.PostAsync("events", new StringContent(array, Encoding.UTF8, "application/json"));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();

        Assert.Equal(["accepted", "rejected", "duplicate", "rejected"], results.Select(r => r.GetProperty("status").GetString()));
        Assert.Equal("bad_timestamp", results[1].GetProperty("reason").GetString());
        Assert.Equal("arr-2", results[1].GetProperty("id").GetString());
        Assert.Equal("malformed_json", results[3].GetProperty("reason").GetString());

        using var tooLarge = await http.PostAsync("events", new StringContent(new string(' ', 200_000) + basket, Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        using var health = JsonDocument.Parse(await http.GetStringAsync("health"));
        Assert.Equal("disabled", health.RootElement.GetProperty("mqtt").GetString());
    }
}
