namespace RetailEdge.HubEmulator.Devices;

/// <summary>Counters of the device endpoint: connections, refusals by reason, telemetry accepted and rejected.</summary>
public sealed class DeviceEndpointMetrics
{
    private long _connectionsAccepted;
    private long _connectionsRefused;
    private long _telemetryAccepted;
    private long _publishesRejected;
    private long _twinRequests;

    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    public long ConnectionsRefused => Interlocked.Read(ref _connectionsRefused);

    public long TelemetryAccepted => Interlocked.Read(ref _telemetryAccepted);

    /// <summary>Publishes that closed the connection (too large, wrong topic, bad property bag…).</summary>
    public long PublishesRejected => Interlocked.Read(ref _publishesRejected);

    public long TwinRequests => Interlocked.Read(ref _twinRequests);

    internal void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);

    internal void ConnectionRefused() => Interlocked.Increment(ref _connectionsRefused);

    internal void TelemetryAcceptedOne() => Interlocked.Increment(ref _telemetryAccepted);

    internal void PublishRejected() => Interlocked.Increment(ref _publishesRejected);

    internal void TwinRequest() => Interlocked.Increment(ref _twinRequests);
}
