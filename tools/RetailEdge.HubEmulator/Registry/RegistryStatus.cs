namespace RetailEdge.HubEmulator.Registry;

/// <summary>Outcome of a registry change, mapped by the REST host to IoT Hub's status codes and error names.</summary>
public enum RegistryStatus
{
    Created,
    Updated,
    Deleted,
    DeviceNotFound,
    ModuleNotFound,
    DeviceAlreadyExists,
    ModuleAlreadyExists,
    ConsumerGroupNotFound,
    PreconditionFailed,
    Invalid,
}
