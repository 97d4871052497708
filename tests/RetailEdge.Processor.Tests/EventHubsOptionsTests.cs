using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Processor.Tests;

/// <summary>RETAILEDGE_SOURCE=eventhubs: what is read, what is refused at start, and that the connection string is never echoed.</summary>
public sealed class EventHubsOptionsTests
{
    private const string Key = "c2VjcmV0LWtleS1ub3QtdG8tYmUtbG9nZ2Vk";
    private const string ConnectionString = "Endpoint=sb://ihsuprod.servicebus.windows.net/;SharedAccessKeyName=service;SharedAccessKey=" + Key + ";EntityPath=retailhub";

    private static Dictionary<string, string> Environment(params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["RETAILEDGE_SOURCE"] = "eventhubs",
            ["RETAILEDGE_LAKE"] = "/data/lake",
            ["RETAILEDGE_CHECKPOINT_STORE"] = "http://127.0.0.1:10000/devstoreaccount1/checkpoints",
            [LakeLocations.CheckpointStoreConnectionStringVariable] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Key + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
        };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }
        return env;
    }

    [Fact]
    public void FromEnvironment_ConnectionString_HubFromEntityPathAndSettingsRead()
    {
        var env = Environment((ProcessorOptions.EventHubsConnectionStringVariable, ConnectionString), ("RETAILEDGE_CONSUMER_GROUP", "lake"),
            ("RETAILEDGE_EVENTHUBS_MAX_BATCH_EVENTS", "250"), ("RETAILEDGE_EVENTHUBS_MAX_BATCH_MS", "400"));

        var options = ProcessorOptions.FromEnvironment(env.GetValueOrDefault);

        Assert.NotNull(options.EventHubs);
        Assert.Equal(("retailhub", "lake", 250, TimeSpan.FromMilliseconds(400)),
            (options.EventHubs.EventHubName, options.EventHubs.ConsumerGroup, options.EventHubs.MaxBatchEvents, options.EventHubs.MaxBatchDelay));
        Assert.Null(options.SourceBlob);
        Assert.Equal("checkpoints", options.CheckpointStore!.Uri.ContainerName);
        Assert.DoesNotContain(Key, options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, options.EventHubs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_NamespaceAndHub_AzureIdentityWithDefaultGroup()
    {
        var env = Environment(("RETAILEDGE_EVENTHUBS_NAMESPACE", "ihsuprod.servicebus.windows.net"), ("RETAILEDGE_EVENTHUB", "retailhub"));

        var options = ProcessorOptions.FromEnvironment(env.GetValueOrDefault);

        Assert.Equal(("ihsuprod.servicebus.windows.net", "retailhub", "$Default"),
            (options.EventHubs!.FullyQualifiedNamespace, options.EventHubs.EventHubName, options.EventHubs.ConsumerGroup));
    }

    [Theory]
    [InlineData("RETAILEDGE_EVENTHUBS_NAMESPACE", "ihsuprod.servicebus.windows.net", "not both")]
    [InlineData("RETAILEDGE_ONCE", "true", "RETAILEDGE_ONCE")]
    [InlineData("RETAILEDGE_EVENTHUB", "otherhub", "EntityPath")]
    [InlineData("RETAILEDGE_EVENTHUBS_MAX_BATCH_EVENTS", "0", "RETAILEDGE_EVENTHUBS_MAX_BATCH_EVENTS")]
    public void FromEnvironment_ConflictingOrBadSetting_RefusedNamingIt(string name, string value, string expected)
    {
        var env = Environment((ProcessorOptions.EventHubsConnectionStringVariable, ConnectionString), (name, value));

        var error = Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(env.GetValueOrDefault));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_NoHubOrNoCheckpointStore_Refused()
    {
        var noHub = Environment();
        Assert.Contains("RETAILEDGE_EVENTHUBS_CONNECTION_STRING", Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(noHub.GetValueOrDefault)).Message, StringComparison.Ordinal);

        var noStore = Environment((ProcessorOptions.EventHubsConnectionStringVariable, ConnectionString));
        noStore.Remove("RETAILEDGE_CHECKPOINT_STORE");
        Assert.Contains("RETAILEDGE_CHECKPOINT_STORE", Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(noStore.GetValueOrDefault)).Message, StringComparison.Ordinal);

        var folderStore = Environment((ProcessorOptions.EventHubsConnectionStringVariable, ConnectionString), ("RETAILEDGE_CHECKPOINT_STORE", "/data/checkpoints"));
        Assert.Contains("blob container URL", Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(folderStore.GetValueOrDefault)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_MalformedConnectionString_RefusedWithoutEchoingIt()
    {
        var env = Environment((ProcessorOptions.EventHubsConnectionStringVariable, "SharedAccessKey=" + Key + ";nonsense"));

        var error = Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(env.GetValueOrDefault));

        Assert.Contains(ProcessorOptions.EventHubsConnectionStringVariable, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }
}
