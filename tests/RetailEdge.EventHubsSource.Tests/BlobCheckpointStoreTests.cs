using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RetailEdge.Testing;

namespace RetailEdge.EventHubsSource.Tests;

/// <summary>The checkpoint and ownership store against a real Azurite: claims with ETags, listing, checkpoints, and the standard blob layout.</summary>
public sealed class BlobCheckpointStoreTests : IAsyncLifetime
{
    private const string Namespace = "MyHub-Ns.ServiceBus.Windows.Net";
    private const string Hub = "MyHub";
    private const string Group = "$Default";

    private AzuriteServer? _azurite;
    private BlobContainerClient _container = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        _container = new BlobContainerClient(_azurite.ConnectionString, "checkpoints");
        await _container.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    [Fact]
    public async Task ClaimOwnershipAsync_UnownedPartitions_ClaimedAndListedWithVersions()
    {
        var store = new BlobCheckpointStore(_container);
        var claimed = (await store.ClaimOwnershipAsync([Ownership("0", "a", null), Ownership("1", "a", null)], CancellationToken.None)).ToList();

        Assert.Equal(["0", "1"], claimed.Select(o => o.PartitionId).Order());
        Assert.All(claimed, o => Assert.False(string.IsNullOrEmpty(o.Version)));
        var listed = (await store.ListOwnershipAsync(Namespace, Hub, Group, CancellationToken.None)).OrderBy(o => o.PartitionId).ToList();
        Assert.Equal(["0", "1"], listed.Select(o => o.PartitionId));
        Assert.All(listed, o => Assert.Equal("a", o.OwnerIdentifier));
        Assert.Equal(claimed.OrderBy(o => o.PartitionId).Select(o => o.Version), listed.Select(o => o.Version));
    }

    [Fact]
    public async Task ClaimOwnershipAsync_StaleVersion_NotClaimedAndOwnerKept()
    {
        var store = new BlobCheckpointStore(_container);
        var first = (await store.ClaimOwnershipAsync([Ownership("0", "a", null)], CancellationToken.None)).Single();
        // b takes it over with the current version; a, still holding the old one, must lose
        var takeover = (await store.ClaimOwnershipAsync([Ownership("0", "b", first.Version)], CancellationToken.None)).Single();
        Assert.NotEqual(first.Version, takeover.Version);

        var stale = await store.ClaimOwnershipAsync([Ownership("0", "a", first.Version)], CancellationToken.None);

        Assert.Empty(stale);
        Assert.Equal("b", (await store.ListOwnershipAsync(Namespace, Hub, Group, CancellationToken.None)).Single().OwnerIdentifier);
    }

    [Fact]
    public async Task ClaimOwnershipAsync_NoVersionButBlobExists_NotClaimed()
    {
        var store = new BlobCheckpointStore(_container);
        await store.ClaimOwnershipAsync([Ownership("3", "a", null)], CancellationToken.None);

        // a second instance that listed before the first claimed it (no version): If-None-Match: * refuses
        var late = await store.ClaimOwnershipAsync([Ownership("3", "b", null)], CancellationToken.None);

        Assert.Empty(late);
        Assert.Equal("a", (await store.ListOwnershipAsync(Namespace, Hub, Group, CancellationToken.None)).Single().OwnerIdentifier);
    }

    [Fact]
    public async Task UpdateCheckpointAsync_ThenGetCheckpointAsync_StartsAfterTheOffset()
    {
        var store = new BlobCheckpointStore(_container);
        Assert.Null(await store.GetCheckpointAsync(Namespace, Hub, Group, "2", CancellationToken.None));

        await store.UpdateCheckpointAsync(Namespace, Hub, Group, "2", "proc-a", new CheckpointPosition("4096", 17), CancellationToken.None);
        await store.UpdateCheckpointAsync(Namespace, Hub, Group, "2", "proc-a", new CheckpointPosition("8192", 42), CancellationToken.None);
        var checkpoint = await store.GetCheckpointAsync(Namespace, Hub, Group, "2", CancellationToken.None);

        Assert.NotNull(checkpoint);
        Assert.Equal("2", checkpoint.PartitionId);
        Assert.Equal("proc-a", checkpoint.ClientIdentifier);
        Assert.Equal(EventPosition.FromOffset("8192", isInclusive: false), checkpoint.StartingPosition);
    }

    [Fact]
    public async Task GetCheckpointAsync_SequenceNumberOnly_StartsAfterTheSequenceNumber()
    {
        var store = new BlobCheckpointStore(_container);
        var blob = _container.GetBlobClient(store.CheckpointBlobName(Namespace, Hub, Group, "5"));
        await blob.UploadAsync(new BinaryData([]), new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["sequencenumber"] = "99", ["offset"] = "" } });

        var checkpoint = await store.GetCheckpointAsync(Namespace, Hub, Group, "5", CancellationToken.None);

        Assert.Equal(EventPosition.FromSequenceNumber(99, isInclusive: false), checkpoint!.StartingPosition);
    }

    [Fact]
    public async Task Blobs_LaidOutAsTheStandardBlobCheckpointStore()
    {
        var store = new BlobCheckpointStore(_container);
        await store.ClaimOwnershipAsync([Ownership("0", "owner-1", null)], CancellationToken.None);
        await store.UpdateCheckpointAsync(Namespace, Hub, Group, "0", "owner-1", new CheckpointPosition("1234", 56), CancellationToken.None);

        var blobs = new Dictionary<string, BlobItem>();
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, CancellationToken.None))
        {
            blobs[item.Name] = item;
        }

        // lower-case namespace, hub and group; empty blobs whose metadata carries the state (Azure's BlobCheckpointStore)
        Assert.Equal(["myhub-ns.servicebus.windows.net/myhub/$default/checkpoint/0", "myhub-ns.servicebus.windows.net/myhub/$default/ownership/0"],
            blobs.Keys.Order(StringComparer.Ordinal));
        var ownership = blobs["myhub-ns.servicebus.windows.net/myhub/$default/ownership/0"];
        Assert.Equal("owner-1", ownership.Metadata["ownerid"]);
        Assert.Equal(0, ownership.Properties.ContentLength);
        var checkpoint = blobs["myhub-ns.servicebus.windows.net/myhub/$default/checkpoint/0"];
        Assert.Equal("1234", checkpoint.Metadata["offset"]);
        Assert.Equal("56", checkpoint.Metadata["sequencenumber"]);
        Assert.Equal("owner-1", checkpoint.Metadata["clientidentifier"]);
        Assert.Equal(0, checkpoint.Properties.ContentLength);
    }

    [Fact]
    public async Task Prefix_KeepsEveryBlobUnderIt()
    {
        var store = new BlobCheckpointStore(_container, "/tenant-a/");
        await store.ClaimOwnershipAsync([Ownership("0", "a", null)], CancellationToken.None);

        var names = new List<string>();
        await foreach (var item in _container.GetBlobsAsync(cancellationToken: CancellationToken.None))
        {
            names.Add(item.Name);
        }
        Assert.Equal(["tenant-a/myhub-ns.servicebus.windows.net/myhub/$default/ownership/0"], names);
        Assert.Single(await store.ListOwnershipAsync(Namespace, Hub, Group, CancellationToken.None));
        Assert.Empty(await new BlobCheckpointStore(_container).ListOwnershipAsync(Namespace, Hub, Group, CancellationToken.None));
    }

    [Theory]
    [InlineData("../0")]
    [InlineData("0/..")]
    [InlineData("..")]
    public async Task ClaimOwnershipAsync_PartitionIdLeavingTheFolder_Refused(string partitionId)
    {
        var store = new BlobCheckpointStore(_container);
        await Assert.ThrowsAsync<ArgumentException>(() => store.ClaimOwnershipAsync([Ownership(partitionId, "a", null)], CancellationToken.None));
    }

    private static EventProcessorPartitionOwnership Ownership(string partition, string owner, string? version) => new()
    {
        FullyQualifiedNamespace = Namespace,
        EventHubName = Hub,
        ConsumerGroup = Group,
        PartitionId = partition,
        OwnerIdentifier = owner,
        Version = version,
    };
}
