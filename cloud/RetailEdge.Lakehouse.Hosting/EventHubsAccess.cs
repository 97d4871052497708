using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging;
using RetailEdge.EventHubsSource;
using RetailEdge.Lakehouse;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// Opens the Event Hubs source for the hosts (the processor container and `retailedge processor run`):
/// the checkpoint store's container with its credentials, and the processor with the hub's
/// Event Hubs-compatible connection string or Azure.Identity. The connection string is handed to
/// the client only; errors name the setting, never the value.
/// </summary>
public static class EventHubsAccess
{
    /// <summary>The hub's Event Hubs-compatible connection string (secret; never logged or kept in options).</summary>
    public const string ConnectionStringVariable = "RETAILEDGE_EVENTHUBS_CONNECTION_STRING";

    /// <summary>
    /// Checks a connection string and returns the event hub it names (its EntityPath, or <paramref name="eventHubName"/>
    /// when it has none); throws an <see cref="ArgumentException"/> that names <paramref name="setting"/>, never the value.
    /// </summary>
    public static string EventHubOf(string connectionString, string? eventHubName, string setting)
    {
        EventHubsConnectionStringProperties properties;
        try
        {
            properties = EventHubsConnectionStringProperties.Parse(connectionString);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ArgumentException($"{setting} is not an Event Hubs connection string (Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=…)");
        }
        if (properties.EventHubName is { Length: > 0 } entityPath)
        {
            return eventHubName is null || string.Equals(entityPath, eventHubName, StringComparison.Ordinal)
                ? entityPath
                : throw new ArgumentException($"the event hub '{eventHubName}' differs from the EntityPath of {setting}");
        }
        return eventHubName ?? throw new ArgumentException($"{setting} has no EntityPath: name the hub's Event Hubs-compatible name as well");
    }

    /// <summary>
    /// Which event hub to read and how: with a connection string, the hub it names (and no namespace);
    /// otherwise the namespace and hub for Azure.Identity. Throws an <see cref="ArgumentException"/> naming
    /// the settings (<paramref name="connectionSetting"/>, <paramref name="namespaceSetting"/>, <paramref name="hubSetting"/>)
    /// when both ways or neither are given.
    /// </summary>
    public static (string? FullyQualifiedNamespace, string EventHubName) ResolveHub(string? connectionString, string? fullyQualifiedNamespace, string? eventHubName,
        string connectionSetting, string namespaceSetting, string hubSetting)
    {
        if (connectionString is not null && fullyQualifiedNamespace is not null)
        {
            throw new ArgumentException($"{connectionSetting} and {namespaceSetting} are both set: give the connection string or the namespace (Azure.Identity), not both");
        }
        if (connectionString is not null)
        {
            return (null, EventHubOf(connectionString, eventHubName, connectionSetting));
        }
        if (fullyQualifiedNamespace is null || eventHubName is null)
        {
            throw new ArgumentException($"the Event Hubs source needs {connectionSetting}, or {namespaceSetting} and {hubSetting} (Azure.Identity)");
        }
        return (fullyQualifiedNamespace, eventHubName);
    }

    /// <summary>The processor over the checkpoint store at <paramref name="checkpointStore"/>; with <paramref name="connectionString"/>, else Azure.Identity.</summary>
    public static BronzeEventProcessor OpenProcessor(EventHubsSourceOptions options, string? connectionString, BlobLocation checkpointStore, AzureAccess access,
        LakeContext lake, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(access);
        var (container, prefix) = LakeLocations.OpenCheckpointStore(checkpointStore, access);
        var store = new BlobCheckpointStore(container, prefix);
        if (connectionString is not null)
        {
            return new BronzeEventProcessor(store, options, connectionString, lake, loggerFactory);
        }
        var credential = access.CredentialFor($"the event hub {options.EventHubName} in {options.FullyQualifiedNamespace} (no Event Hubs connection string)");
        return new BronzeEventProcessor(store, options, credential, lake, loggerFactory);
    }
}
