using System.Net;
using RetailEdge.HubEmulator.Registry;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>The Event Hubs-compatible connection string of the built-in endpoint.</summary>
public static class EventHubsConnectionStrings
{
    /// <summary>
    /// <c>Endpoint=sb://{host}:{port}/;SharedAccessKeyName={policy};SharedAccessKey={key};EntityPath={hub}</c>, as the
    /// portal shows a real hub's; plain AMQP adds <c>UseDevelopmentEmulator=true</c>, which makes the Event Hubs
    /// clients connect without TLS. Contains the key: a secret.
    /// </summary>
    public static string Build(IPEndPoint endPoint, SharedAccessPolicy policy, string eventHubName, bool useTls)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(policy);
        var host = endPoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback.ToString() : endPoint.Address.ToString();
        var text = $"Endpoint=sb://{host}:{endPoint.Port}/;SharedAccessKeyName={policy.Name};SharedAccessKey={policy.PrimaryKey};EntityPath={eventHubName}";
        return useTls ? text : text + ";UseDevelopmentEmulator=true";
    }
}
