namespace RetailEdge.IotHub;

/// <summary>A parsed <c>$iothub/methods/POST/{name}/?$rid={rid}</c>.</summary>
/// <param name="MethodName">the direct method name</param>
/// <param name="RequestId">the <c>$rid</c> to answer on</param>
public readonly record struct MethodRequestTopic(string MethodName, string RequestId);
