namespace RetailEdge.Lakehouse;

/// <summary>
/// Sends the reference tables down to the stores' module twins after a pass, when they changed
/// (ARCHITECTURE.md §6). The implementation lives next to the hosts (RetailEdge.Lakehouse.Hosting's
/// LakeReferencePublication) so the jobs library references no hub client. Like the store health
/// monitor, an unreachable hub must not stop the lake: failures are logged and the next pass retries.
/// </summary>
public interface IReferencePublication
{
    /// <summary>Publishes when the reference tables changed since the last complete publication; never throws on hub failures.</summary>
    Task PublishIfChangedAsync(CancellationToken cancellationToken);
}
