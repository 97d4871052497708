namespace RetailEdge.IotHub;

/// <summary>A message routed to one of the module's inputs.</summary>
/// <param name="InputName">the input it arrived on (<c>devices/{d}/modules/{m}/inputs/{input}/…</c>)</param>
/// <param name="Message">body and properties</param>
/// <param name="IsRedelivery">the hub may have delivered it before (MQTT DUP): handle idempotently</param>
public sealed record IotHubInputMessage(string InputName, IotHubMessage Message, bool IsRedelivery);
