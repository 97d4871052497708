using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts.Reference;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.ReferencePublishing;
using RetailEdge.Simulator;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>
/// Large reference sets as blobs with read-only expiring SAS urls (Azurite over real sockets), fetched by a
/// StoreGateway module connected to the hub emulator: a corrupted or expired blob is refused, reported as
/// referenceDataError (and `fleet status --check` fails), the previous set stays in force, and the
/// publisher's next pass renews the url.
/// </summary>
[Collection(LakeCollection.Name)]
public sealed class ReferencePublishBlobTests
{
    [Fact]
    public async Task Publish_CorruptedThenExpiredBlob_RefusedPreviousSetKeptCheckFails_RenewedUrlApplied()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobContainerClient(azurite.ConnectionString, "lake");
        await container.CreateAsync();
        var simulator = new StoreSimulator(new SimulationOptions { Profile = SimulationProfile.Reference.Name, Stores = 1, Seed = 8 });
        var catalog = simulator.Catalog;
        var v1 = new ReferenceTables(catalog.Stores, catalog.Items, catalog.ChangeTypes, catalog.Assortment);
        await using var fleet = await ReferenceFleet.StartAsync("refpub-blob");
        await fleet.RegisterAsync(catalog.Stores[0]);
        await fleet.StartGatewayAsync(1);
        await fleet.SendAndFlushAsync(1, simulator.Generate().Where(e => e.ShouldBeAccepted).Take(20).Select(e => e.Json));
        var blobs = new BlobReferenceSetStore(container, "lake", TimeSpan.FromDays(1));
        var publisher = new ReferencePublisher(fleet.Service, blobs, new ReferencePublisherOptions(), NullLogger<ReferencePublisher>.Instance);

        var first = await publisher.PublishAsync(v1, null, dryRun: false, CancellationToken.None);
        Assert.Contains("by url", Assert.Single(first.Stores).Detail, StringComparison.Ordinal);
        var applied = ReferenceFleet.VersionsOf(v1)[1];
        await fleet.WaitReportedAsync([1], (_, r) => ReferenceFleet.Text(r, "referenceDataVersion") == applied, TimeSpan.FromSeconds(30));
        var check = await CliRun.RunAsync(["fleet", "status", .. fleet.HubArguments(), "--check", "--json"]);
        Assert.True(check.ExitCode == 0, check.Output + check.Error);

        // corrupted: the blob of the next version has other bytes than its sha256 says
        var v2 = WithPrice(v1, catalog.Items[0].ItemId, 9.99m);
        var v2Set = ReferenceSetPlanner.Plan(v2).Sets[0];
        var url = await blobs.PutAsync(v2Set, CancellationToken.None);
        var corrupted = v2Set.Payload.ToArray();
        corrupted[^10] ^= 0x5A;
        await container.GetBlobClient(new BlobUriBuilder(url).BlobName).UploadAsync(BinaryData.FromBytes(corrupted), overwrite: true);
        Assert.Equal(StorePublishAction.Patched, Assert.Single((await publisher.PublishAsync(v2, null, false, CancellationToken.None)).Stores).Action);
        await fleet.WaitReportedAsync([1], (_, r) => ReferenceFleet.Text(r, "referenceDataError")?.Contains("sha256", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(30));
        Assert.Equal(applied, ReferenceFleet.Text(await fleet.ReportedAsync(1), "referenceDataVersion"));
        var failing = await CliRun.RunAsync(["fleet", "status", .. fleet.HubArguments(), "--check", "--json"]);
        Assert.Equal(FleetCommand.UnhealthyExitCode, failing.ExitCode);
        Assert.Contains("sha256", failing.Output, StringComparison.Ordinal);

        // expired: the next version's url was signed to expire yesterday (Azurite answers 403)
        var v3 = WithPrice(v1, catalog.Items[1].ItemId, 19.99m);
        var expired = new ReferencePublisher(fleet.Service, new BlobReferenceSetStore(container, "lake", TimeSpan.FromDays(1), new ShiftedClock(TimeSpan.FromDays(-2))),
            new ReferencePublisherOptions(), NullLogger<ReferencePublisher>.Instance);
        Assert.Equal(StorePublishAction.Patched, Assert.Single((await expired.PublishAsync(v3, null, false, CancellationToken.None)).Stores).Action);
        await fleet.WaitReportedAsync([1], (_, r) => ReferenceFleet.Text(r, "referenceDataError")?.Contains("403", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(30));
        Assert.Equal(applied, ReferenceFleet.Text(await fleet.ReportedAsync(1), "referenceDataVersion"));
        Assert.Equal(FleetCommand.UnhealthyExitCode, (await CliRun.RunAsync(["fleet", "status", .. fleet.HubArguments(), "--check"])).ExitCode);

        // the publisher's next pass sees the twin's url expired and hands out a fresh one: the set applies, the error clears
        var renewed = Assert.Single((await publisher.PublishAsync(v3, null, false, CancellationToken.None)).Stores);
        Assert.Equal(StorePublishAction.Patched, renewed.Action);
        Assert.Contains("renewed", renewed.Detail, StringComparison.Ordinal);
        var v3Version = ReferenceFleet.VersionsOf(v3)[1];
        await fleet.WaitReportedAsync([1], (_, r) => ReferenceFleet.Text(r, "referenceDataVersion") == v3Version && ReferenceFleet.Text(r, "referenceDataError") is null, TimeSpan.FromSeconds(30));
        var healthy = await CliRun.RunAsync(["fleet", "status", .. fleet.HubArguments(), "--check"]);
        Assert.True(healthy.ExitCode == 0, healthy.Output + healthy.Error);
    }

    private static ReferenceTables WithPrice(ReferenceTables tables, long itemId, decimal price) =>
        tables with { Items = [.. tables.Items.Select(i => i.ItemId == itemId ? i with { UnitPrice = price } : i)] };

    /// <summary>The system clock moved by a fixed amount: signs urls that expired already.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
