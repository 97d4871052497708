namespace RetailEdge.EventHubsSource;

/// <summary>
/// How the processor reads IoT Hub's built-in Event Hubs endpoint into bronze. The connection
/// string (or the Azure.Identity credential) is not kept here: it is handed to the client only.
/// Micro-batches: one bronze commit holds the events read from every owned partition until
/// <see cref="MaxBatchEvents"/> are waiting or the oldest has waited <see cref="MaxBatchDelay"/>,
/// whichever comes first — the bound on both commit size and added latency.
/// </summary>
public sealed record EventHubsSourceOptions
{
    public const string DefaultConsumerGroup = "$Default";

    /// <summary>The Event Hubs namespace host (Azure.Identity), e.g. ihsuprodxx.servicebus.windows.net; null with a connection string.</summary>
    public string? FullyQualifiedNamespace { get; init; }

    /// <summary>The event hub (the IoT Hub's Event Hubs-compatible name); optional with a connection string that has EntityPath.</summary>
    public string? EventHubName { get; init; }

    public string ConsumerGroup { get; init; } = DefaultConsumerGroup;

    /// <summary>Events per bronze commit at most (also the most one partition's read returns).</summary>
    public int MaxBatchEvents { get; init; } = 1000;

    /// <summary>How long an event waits for more before its micro-batch is committed.</summary>
    public TimeSpan MaxBatchDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an instance renews its ownership and looks for partitions to take (the SDK's LoadBalancingUpdateInterval).</summary>
    public TimeSpan LoadBalancingInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an ownership lasts without renewal before another instance takes the partition over.</summary>
    public TimeSpan OwnershipExpiration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The processor instance's id in ownership blobs; a new one per process by default.</summary>
    public string? Identifier { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> that names the setting when a value cannot work.</summary>
    public EventHubsSourceOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ConsumerGroup) || ConsumerGroup.Length > 50)
        {
            throw new ArgumentException("the consumer group must be 1 to 50 characters");
        }
        if (MaxBatchEvents is < 1 or > 100_000)
        {
            throw new ArgumentException("MaxBatchEvents must be between 1 and 100000");
        }
        if (MaxBatchDelay <= TimeSpan.Zero || MaxBatchDelay > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("MaxBatchDelay must be positive and at most 10 minutes");
        }
        if (LoadBalancingInterval <= TimeSpan.Zero || OwnershipExpiration <= LoadBalancingInterval)
        {
            throw new ArgumentException("OwnershipExpiration must be longer than LoadBalancingInterval, and both positive");
        }
        if (FullyQualifiedNamespace is not null && (Uri.CheckHostName(FullyQualifiedNamespace) == UriHostNameType.Unknown || EventHubName is null))
        {
            throw new ArgumentException("with Azure.Identity the namespace must be a host name (no scheme or path) and the event hub must be named");
        }
        return this;
    }
}
