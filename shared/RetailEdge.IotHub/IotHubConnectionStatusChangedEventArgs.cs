namespace RetailEdge.IotHub;

/// <summary>A change of <see cref="IotHubModuleClient.Status"/> and why it happened.</summary>
/// <param name="status">the new status</param>
/// <param name="reason">what closed the connection or failed the attempt, when known</param>
public sealed class IotHubConnectionStatusChangedEventArgs(IotHubConnectionStatus status, Exception? reason) : EventArgs
{
    /// <summary>The new status.</summary>
    public IotHubConnectionStatus Status { get; } = status;

    /// <summary>What closed the connection or failed the attempt, when known.</summary>
    public Exception? Reason { get; } = reason;
}
