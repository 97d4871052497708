namespace RetailEdge.IotHub;

/// <summary>A parsed <c>$iothub/twin/res/{status}/?$rid={rid}[&amp;$version={n}]</c>.</summary>
/// <param name="Status">HTTP-like status (200 GET, 204 reported PATCH, 400, 429, 5xx)</param>
/// <param name="RequestId">the <c>$rid</c> echoed from the request</param>
/// <param name="Version">the reported-properties <c>$version</c> after a PATCH, if given</param>
public readonly record struct TwinResponseTopic(int Status, string RequestId, long? Version);
