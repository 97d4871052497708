using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts.Reference;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Simulator;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>
/// The publisher's If-Match on the twin's ETag against the hub emulator: a twin changed by someone else
/// between the publisher's read and its patch answers 412, and the publisher reads it again and patches on
/// top of the other writer's change instead of overwriting it.
/// </summary>
[Collection(LakeCollection.Name)]
public sealed class ReferencePublisherConflictTests
{
    [Fact]
    public async Task Publish_TwinChangedBetweenReadAndPatch_412ThenRereadAndPatchedKeepingTheOtherChange()
    {
        var catalog = new StoreSimulator(new SimulationOptions { Stores = 1, Seed = 2 }).Catalog;
        var tables = new ReferenceTables(catalog.Stores, catalog.Items, catalog.ChangeTypes, catalog.Assortment);
        await using var fleet = await ReferenceFleet.StartAsync("refpub-conflict");
        await fleet.RegisterAsync(catalog.Stores[0]);
        var interloper = new ConcurrentWriter(fleet.Service);
        using var http = new HttpClient(interloper);
        using var hub = new IotHubServiceClient(new IotHubServiceClientOptions { ConnectionString = fleet.Emulator.Registry.ServiceConnectionString(), Endpoint = fleet.Emulator.RestBaseAddress }, http);
        var publisher = new ReferencePublisher(hub, new FolderReferenceSetStore(fleet.LakePath), new ReferencePublisherOptions(), NullLogger<ReferencePublisher>.Instance);

        var result = await publisher.PublishAsync(tables, null, dryRun: false, CancellationToken.None);

        Assert.Equal(StorePublishAction.Patched, Assert.Single(result.Stores).Action);
        Assert.Equal([412, 200], interloper.PatchStatuses);
        var twin = await fleet.Service.GetModuleTwinAsync(catalog.Stores[0].DeviceId, "StoreGateway");
        Assert.Equal(30, twin.Desired["sendIntervalSeconds"]!.GetValue<int>());
        Assert.Equal(ReferenceFleet.VersionsOf(tables)[1], twin.Desired["referenceData"]!["version"]!.GetValue<string>());
    }

    /// <summary>Before the publisher's first twin PATCH goes out, another operator changes the same twin.</summary>
    private sealed class ConcurrentWriter(IotHubServiceClient other) : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<int> PatchStatuses { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var patch = request.Method == HttpMethod.Patch;
            if (patch && PatchStatuses.Count == 0)
            {
                var path = request.RequestUri!.AbsolutePath.Split('/');
                await other.UpdateModuleTwinAsync(Uri.UnescapeDataString(path[2]), Uri.UnescapeDataString(path[4]), new JsonObject { ["sendIntervalSeconds"] = 30 }, cancellationToken: cancellationToken);
            }
            var response = await base.SendAsync(request, cancellationToken);
            if (patch)
            {
                PatchStatuses.Add((int)response.StatusCode);
            }
            return response;
        }
    }
}
