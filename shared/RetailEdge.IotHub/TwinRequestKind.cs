namespace RetailEdge.IotHub;

/// <summary>What a client asks of the twin (hub side).</summary>
public enum TwinRequestKind
{
    /// <summary><c>$iothub/twin/GET/?$rid=…</c>: the full twin.</summary>
    Get = 1,

    /// <summary><c>$iothub/twin/PATCH/properties/reported/?$rid=…</c>: merge reported properties.</summary>
    PatchReported = 2,
}
