namespace RetailEdge.HubEmulator.Twins;

/// <summary>Outcome of a twin read or update, mapped by the hosts to MQTT or HTTP status codes.</summary>
public enum TwinUpdateStatus
{
    Ok,
    NotFound,
    PreconditionFailed,
    Invalid,
}
