using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>Routing to a real Azurite blob container (Shared Key), blobs in IoT Hub's layout.</summary>
public class AzuriteRoutingTests
{
    [Fact]
    public async Task Telemetry_RoutedToAzuriteContainer_OneBlobPerBatchNeverOverwritten()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await using var hub = await EmulatorHarness.StartAsync(routingTarget: azurite.BlobEndpoint + "/routing", accountKey: AzuriteServer.AccountKey);
        var module = await hub.Emulator.Registry.AddModuleAsync("store017-gw", "StoreGateway");
        var token = await NodeSas.TokenAsync($"{hub.Emulator.HostName}/devices/store017-gw/modules/StoreGateway", module.PrimaryKey, DateTimeOffset.UtcNow.AddMinutes(10));

        for (var i = 1; i <= 2; i++)
        {
            await using var pub = ManagedProcess.Start(MosquittoBroker.ClientTool("mosquitto_pub"),
            [
                "-h", "127.0.0.1", "-p", hub.Emulator.MqttEndPoint.Port.ToString(CultureInfo.InvariantCulture),
                "-V", "mqttv311", "-i", "store017-gw/StoreGateway", "-u", $"{hub.Emulator.HostName}/store017-gw/StoreGateway/?api-version=2021-04-12", "-P", token,
                "-t", $"devices/store017-gw/modules/StoreGateway/messages/events/%24.mid=blob-{i}&%24.ct=application%2Fjson&%24.ce=utf-8", "-m", $"{{\"n\":{i}}}", "-q", "1",
            ]);
            Assert.Equal(0, await pub.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            // one flush per message: two batches in the same minute must become two blobs
            await hub.Emulator.Routing.FlushAsync(CancellationToken.None);
        }

        var container = new BlobContainerClient(azurite.ConnectionString, "routing");
        var blobs = new List<BlobItem>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = "testhub/" }))
        {
            blobs.Add(blob);
        }
        Assert.Equal(2, blobs.Count);
        Assert.All(blobs, b => Assert.Matches(@"^testhub/0[0-3]/\d{4}/\d{2}/\d{2}/\d{2}/\d{2}(-01)?$", b.Name));
        var bodies = new List<int>();
        foreach (var blob in blobs)
        {
            var download = await container.GetBlobClient(blob.Name).DownloadContentAsync();
            Assert.Equal("application/json", download.Value.Details.ContentType);
            var record = JsonNode.Parse(Encoding.UTF8.GetString(download.Value.Content.ToMemory().Span).Trim())!.AsObject();
            Assert.Equal("store017-gw", record["SystemProperties"]!["connectionDeviceId"]!.GetValue<string>());
            bodies.Add(record["Body"]!["n"]!.GetValue<int>());
        }
        Assert.Equal([1, 2], bodies.Order());
        Assert.DoesNotContain(AzuriteServer.AccountKey, hub.Logs.Text, StringComparison.Ordinal);
    }
}
