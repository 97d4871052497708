using System.CommandLine;
using RetailEdge.EventHubsSource;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>
/// The options of `processor run --source eventhubs`: the hub's Event Hubs-compatible endpoint (a file
/// holding its connection string, or namespace + hub with Azure.Identity), the consumer group, the
/// checkpoint store's container URL and the micro-batch bounds. Defaults come from the same
/// variables as the processor container.
/// </summary>
internal sealed class EventHubsArguments
{
    public const string NamespaceVariable = "RETAILEDGE_EVENTHUBS_NAMESPACE";
    public const string EventHubVariable = "RETAILEDGE_EVENTHUB";
    public const string ConsumerGroupVariable = "RETAILEDGE_CONSUMER_GROUP";
    public const string CheckpointStoreVariable = "RETAILEDGE_CHECKPOINT_STORE";

    private readonly Option<string?> _connectionString = new("--eventhubs-connection-string")
    {
        Description = $"File holding the hub's Event Hubs-compatible connection string (never the string itself: a command line is visible to every user; default: {EventHubsAccess.ConnectionStringVariable})",
    };
    private readonly Option<string?> _namespace = new("--eventhubs-namespace") { Description = $"Event Hubs namespace host, reached with Azure.Identity instead of a connection string (default: {NamespaceVariable})" };
    private readonly Option<string?> _eventHub = new("--eventhub") { Description = $"The hub's Event Hubs-compatible name (default: {EventHubVariable}, or the connection string's EntityPath)" };
    private readonly Option<string?> _consumerGroup = new("--consumer-group") { Description = $"Consumer group (default: {ConsumerGroupVariable}, else $Default)" };
    private readonly Option<string?> _checkpointStore = new("--checkpoint-store")
    {
        Description = $"Blob container URL for partition ownership and checkpoints (credentials: {LakeLocations.CheckpointStoreConnectionStringVariable}, else Azure.Identity; default: {CheckpointStoreVariable})",
    };
    private readonly Option<int> _batchEvents = new("--batch-events") { Description = "Most events per bronze commit (default 1000)", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> _batchDelayMs = new("--batch-delay-ms") { Description = "Longest an event waits for its bronze commit, in ms (default 1000)", DefaultValueFactory = _ => 1000 };

    public void AddTo(Command command)
    {
        command.Options.Add(_connectionString);
        command.Options.Add(_namespace);
        command.Options.Add(_eventHub);
        command.Options.Add(_consumerGroup);
        command.Options.Add(_checkpointStore);
        command.Options.Add(_batchEvents);
        command.Options.Add(_batchDelayMs);
    }

    /// <summary>The settings, or an <see cref="ArgumentException"/> that names the option (never a secret).</summary>
    public (EventHubsSourceOptions Options, string? ConnectionString, BlobLocation CheckpointStore) Resolve(ParseResult parseResult, AzureAccess access)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(access);
        var file = parseResult.GetValue(_connectionString);
        var connectionString = file is null ? access.Get(EventHubsAccess.ConnectionStringVariable)
            : IotHubArguments.ReadSecretFile("--eventhubs-connection-string", EventHubsAccess.ConnectionStringVariable, file);
        var (fullyQualifiedNamespace, eventHub) = EventHubsAccess.ResolveHub(connectionString, parseResult.GetValue(_namespace) ?? access.Get(NamespaceVariable),
            parseResult.GetValue(_eventHub) ?? access.Get(EventHubVariable), "--eventhubs-connection-string", "--eventhubs-namespace", "--eventhub");
        var checkpointStore = parseResult.GetValue(_checkpointStore) ?? access.Get(CheckpointStoreVariable)
            ?? throw new ArgumentException("--source eventhubs needs --checkpoint-store: the blob container URL for partition ownership and checkpoints");
        var options = new EventHubsSourceOptions
        {
            FullyQualifiedNamespace = fullyQualifiedNamespace,
            EventHubName = eventHub,
            ConsumerGroup = parseResult.GetValue(_consumerGroup) ?? access.Get(ConsumerGroupVariable) ?? EventHubsSourceOptions.DefaultConsumerGroup,
            MaxBatchEvents = parseResult.GetValue(_batchEvents),
            MaxBatchDelay = TimeSpan.FromMilliseconds(parseResult.GetValue(_batchDelayMs)),
        }.Validate();
        return (options, connectionString, LakeLocations.ResolveCheckpointStore(checkpointStore, access));
    }
}
