namespace RetailEdge.IotHub;

/// <summary>A parsed <c>$iothub/methods/res/{status}/?$rid={rid}</c> (hub side).</summary>
/// <param name="Status">the status the module answered with</param>
/// <param name="RequestId">the request's <c>$rid</c></param>
public readonly record struct MethodResponseTopic(int Status, string RequestId);
