using System.Text.Json;

namespace RetailEdge.StoreGateway.Core;

/// <summary>What the module does with what the hub sends down.</summary>
public interface IHubTransportHandler
{
    /// <summary>A desired-properties document (full, after a twin GET) or patch.</summary>
    Task OnDesiredPropertiesAsync(JsonElement desired, bool isFullDocument, CancellationToken cancellationToken);

    Task<HubMethodResult> OnMethodAsync(string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>A message on a module input; the transport acknowledges it when the task completes.</summary>
    Task OnInputAsync(string input, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}
