namespace RetailEdge.Lakehouse.Hosting;

/// <summary>How <see cref="ReferencePublisher"/> reaches the module twins and how fast.</summary>
public sealed record ReferencePublisherOptions
{
    public const string DefaultModuleId = "StoreGateway";

    public string ModuleId { get; init; } = DefaultModuleId;

    /// <summary>
    /// Twin reads and updates per second. IoT Hub S1 allows 50 twin updates/s and 100 twin reads/s per
    /// hub (PROTOCOLS.md "Limits"), shared with every gateway's reported-property patches: the
    /// publisher takes 10/s by default, so 1,000 stores take under two minutes and leave the gateways room.
    /// </summary>
    public double TwinOperationsPerSecond { get; init; } = 10;

    /// <summary>A twin whose url's SAS expires sooner than this is given a fresh url (an offline gateway must still be able to fetch it when it returns).</summary>
    public TimeSpan RenewUrlsBefore { get; init; } = TimeSpan.FromDays(2);

    /// <summary>412 (the twin changed since it was read) → read it again and retry, at most this often.</summary>
    public int MaxPreconditionRetries { get; init; } = 5;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModuleId))
        {
            throw new ArgumentException("ReferencePublisherOptions.ModuleId must be set");
        }
        if (double.IsNaN(TwinOperationsPerSecond) || TwinOperationsPerSecond is <= 0 or > 50)
        {
            throw new ArgumentException("ReferencePublisherOptions.TwinOperationsPerSecond must be above 0 and at most 50 (IoT Hub S1's twin update limit)");
        }
        if (RenewUrlsBefore < TimeSpan.Zero)
        {
            throw new ArgumentException("ReferencePublisherOptions.RenewUrlsBefore must not be negative");
        }
        if (MaxPreconditionRetries is < 0 or > 100)
        {
            throw new ArgumentException("ReferencePublisherOptions.MaxPreconditionRetries must be from 0 to 100");
        }
    }
}
