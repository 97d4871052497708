namespace RetailEdge.IotHub;

/// <summary>A parsed <c>devices/{d}[/modules/{m}]/messages/events/{bag}</c> (hub side).</summary>
/// <param name="DeviceId">the device id</param>
/// <param name="ModuleId">the module id, null for device telemetry</param>
/// <param name="PropertyBag">the raw (still encoded) property bag, possibly empty</param>
public readonly record struct TelemetryTopic(string DeviceId, string? ModuleId, string PropertyBag);
