namespace RetailEdge.HubEmulator.Devices;

/// <summary>A direct method's answer from the device: its status code and payload bytes (JSON).</summary>
public sealed record DeviceMethodResponse(int Status, ReadOnlyMemory<byte> Payload);
