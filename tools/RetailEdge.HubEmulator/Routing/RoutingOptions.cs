namespace RetailEdge.HubEmulator.Routing;

/// <summary>Routing to storage settings.</summary>
public sealed record RoutingOptions
{
    /// <summary>The {iothub} segment of the blob names.</summary>
    public required string HubName { get; init; }

    /// <summary>Number of partitions ({partition} segment, 00…); IoT Hub's default is 4.</summary>
    public int PartitionCount { get; init; } = 4;

    /// <summary>How often buffered records are written (IoT Hub: 60–720 s; 10 s suits development).</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A partition buffer this large is written at once, without waiting for the interval.</summary>
    public int MaxBatchBytes { get; init; } = 16 * 1024 * 1024;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(HubName) || HubName.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("Routing HubName must be a non-empty name without '/'.");
        }
        if (PartitionCount is < 1 or > 32)
        {
            throw new ArgumentException($"Routing PartitionCount must be 1–32, not {PartitionCount}.");
        }
        if (BatchInterval < TimeSpan.FromMilliseconds(100) || BatchInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"Routing BatchInterval must be between 100 ms and 1 h, not {BatchInterval}.");
        }
        if (MaxBatchBytes < 1024)
        {
            throw new ArgumentException("Routing MaxBatchBytes must be at least 1024.");
        }
    }
}
