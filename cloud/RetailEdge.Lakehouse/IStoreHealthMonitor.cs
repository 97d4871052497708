namespace RetailEdge.Lakehouse;

/// <summary>
/// Refreshes gold.store_health after every pass (ARCHITECTURE.md §8). The implementation reads the
/// module twins from IoT Hub and lives next to the hosts (RetailEdge.Lakehouse.Hosting's
/// StoreHealthMonitor), so the jobs library references no hub client. An unreachable hub must not
/// stop the lake: the implementation logs its own transient failures and returns.
/// </summary>
public interface IStoreHealthMonitor
{
    /// <summary>One refresh; transient hub or credential failures are logged, not thrown (the next pass retries).</summary>
    Task RefreshAsync(CancellationToken cancellationToken);
}
