using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Twins;

namespace RetailEdge.HubEmulator.Devices;

/// <summary>A connected, authenticated device or module as the rest of the hub sees it.</summary>
public interface IDeviceSession
{
    IdentityKey Identity { get; }

    /// <summary>True once the identity subscribed to the desired-properties patch topic.</summary>
    bool AcceptsDesiredPatches { get; }

    /// <summary>True once the identity subscribed to the direct-methods topic.</summary>
    bool AcceptsMethods { get; }

    /// <summary>Queues a desired patch for delivery; must not block.</summary>
    void EnqueueDesiredPatch(DesiredPatch patch);

    /// <summary>Sends a method request and waits for the response; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    Task<DeviceMethodResponse> InvokeMethodAsync(string methodName, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Closes the connection (a newer connection of the same identity, or shutdown).</summary>
    Task CloseAsync(string reason, CancellationToken cancellationToken);
}
