namespace RetailEdge.IotHub;

/// <summary>A parsed <c>devices/{d}/modules/{m}/inputs/{input}/{bag}</c>.</summary>
/// <param name="InputName">the module input the message was routed to</param>
/// <param name="PropertyBag">the raw (still encoded) property bag, possibly empty</param>
public readonly record struct InputTopic(string InputName, string PropertyBag);
