namespace RetailEdge.HubEmulator.Registry;

/// <summary>The outcome of a registry change: the status, the identity as stored, and the reason when refused.</summary>
public sealed record RegistryResult<T>(RegistryStatus Status, T? Identity, string? Error)
    where T : class
{
    public bool Succeeded => Status is RegistryStatus.Created or RegistryStatus.Updated or RegistryStatus.Deleted;

    public static RegistryResult<T> Fail(RegistryStatus status, string error) => new(status, null, error);
}
