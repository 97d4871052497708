namespace RetailEdge.IotHub;

/// <summary>A parsed twin request topic (hub side).</summary>
/// <param name="Kind">GET or reported PATCH</param>
/// <param name="RequestId">the <c>$rid</c> to echo in the response topic</param>
public readonly record struct TwinRequestTopic(TwinRequestKind Kind, string RequestId);
