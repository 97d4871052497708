namespace RetailEdge.HubEmulator.Registry;

/// <summary>A device (ModuleId null) or module identity; ids compare case-sensitively as in IoT Hub.</summary>
public readonly record struct IdentityKey(string DeviceId, string? ModuleId)
{
    public override string ToString() => ModuleId is null ? DeviceId : DeviceId + "/" + ModuleId;
}
