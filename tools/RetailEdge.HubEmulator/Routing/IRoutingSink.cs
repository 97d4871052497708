namespace RetailEdge.HubEmulator.Routing;

/// <summary>Where routed batches go: a folder or a blob container.</summary>
public interface IRoutingSink
{
    /// <summary>A description for logs (never with credentials).</summary>
    string Description { get; }

    /// <summary>
    /// Writes one batch atomically under <paramref name="name"/>; when that name is taken
    /// (several batches in one minute), under "{name}-{n:00}" with the next free n.
    /// Never overwrites. Returns the name written.
    /// </summary>
    Task<string> WriteNewAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);
}
