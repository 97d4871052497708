namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// The upstream link (ARCHITECTURE.md §2, §7): send a batch and await the hub's acknowledgement,
/// report twin properties, and deliver desired properties, direct methods and module inputs to a
/// handler. Implemented over IoT Hub's module MQTT protocol and in memory for tests.
/// </summary>
public interface IHubTransport : IAsyncDisposable
{
    bool IsConnected { get; }

    /// <summary>Connects (retrying in the background when the hub is unreachable) and starts delivering to <paramref name="handler"/>.</summary>
    Task StartAsync(IHubTransportHandler handler, CancellationToken cancellationToken);

    /// <summary>Completes when the hub acknowledged the message (PUBACK); throws <see cref="HubTransportException"/> otherwise.</summary>
    Task SendAsync(HubMessage message, CancellationToken cancellationToken);

    /// <summary>Patches the module twin's reported properties (JSON object).</summary>
    Task ReportAsync(ReadOnlyMemory<byte> patch, CancellationToken cancellationToken);
}
