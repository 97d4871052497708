using System.Globalization;
using RetailEdge.HubEmulator.Registry;

namespace RetailEdge.Cli;

/// <summary>
/// What <c>emulator run</c> prints for a new user once the emulator listens: the endpoints, the
/// certificate to trust, and the exact connection strings and settings for Microsoft's SDKs,
/// az-style tools and RetailEdge's own commands. The keys are this local hub's: printing them on
/// the console of a development emulator, when it starts, is the point (they never go to a log).
/// </summary>
public static class EmulatorGuide
{
    /// <summary>The port the official device SDKs dial on GatewayHostName (MQTT over TLS).</summary>
    public const int SdkMqttsPort = 8883;

    /// <summary>The port the official service SDKs and az dial on the hub host name.</summary>
    public const int SdkHttpsPort = 443;

    public static IReadOnlyList<string> Lines(HubEmulator.HubEmulator emulator)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var registry = emulator.Registry;
        var host = emulator.HostName;
        var tls = emulator.Certificate is not null;
        var mqttPort = emulator.MqttEndPoint.Port;
        var restPort = emulator.RestEndPoint.Port;
        var service = registry.ServiceConnectionString();
        var lines = new List<string>
        {
            $"hub emulator {registry.HubName} ({host}): a development emulator, not for production; the keys below belong to this local hub only",
            $"  device MQTT   {(tls ? "mqtts" : "mqtt")}://{emulator.MqttEndPoint}",
            $"  service REST  {emulator.RestBaseAddress}  (api-version 2021-04-12)",
            $"  Event Hubs    {(tls ? "amqps" : "amqp")}://{emulator.EventHubsEndPoint}  (the built-in Event Hubs-compatible endpoint, event hub {registry.HubName}, {emulator.Events.PartitionIds.Count.ToString(CultureInfo.InvariantCulture)} partitions)",
        };
        if (emulator.CertificatePemPath is { } pem)
        {
            lines.Add($"  certificate   {pem}  (self-signed, kept and reused across restarts: trust it once)");
        }
        lines.Add(string.Empty);
        lines.Add("Service connection string (azure-iothub Registry and Client, az --login, retailedge --iothub):");
        lines.Add("  " + service);
        lines.Add(string.Empty);
        lines.Add($"Event Hubs-compatible connection string (EventHubConsumerClient, @azure/event-hubs; consumer groups: {string.Join(", ", registry.ConsumerGroups)}):");
        lines.Add("  " + emulator.EventHubsConnectionString());
        if (tls && emulator.EventHubsEndPoint.Port != 5671)
        {
            lines.Add($"  the Event Hubs clients dial AMQPS port 5671: set CustomEndpointAddress = amqps://{emulator.EventHubsEndPoint} (or --eventhubs 127.0.0.1:5671), and trust the certificate");
        }
        lines.Add(string.Empty);
        lines.Add("Module connection strings (azure-iot-device ModuleClient with the MQTT transport):");
        var modules = registry.Devices.SelectMany(d => d.Modules.Select(m => (d.DeviceId, m.ModuleId))).ToList();
        foreach (var (deviceId, moduleId) in modules)
        {
            lines.Add($"  {deviceId}/{moduleId}: {registry.ModuleConnectionString(deviceId, moduleId)};GatewayHostName=127.0.0.1");
        }
        if (modules.Count == 0)
        {
            lines.Add("  none yet: retailedge emulator add-module --registry … --hub-name … <deviceId> <moduleId>, or Registry.addModule with the service connection string");
        }
        lines.Add("  HostName stays the SAS audience; GatewayHostName=127.0.0.1 makes the SDK dial this emulator, as a module dials its edge gateway.");
        if (registry.Devices.Count > 0)
        {
            lines.Add("Device connection strings (azure-iot-device Client with the MQTT transport):");
            foreach (var device in registry.Devices)
            {
                lines.Add($"  {device.DeviceId}: {registry.DeviceConnectionString(device.DeviceId)};GatewayHostName=127.0.0.1");
            }
        }
        lines.Add(string.Empty);
        lines.Add("Settings for Microsoft's SDKs and az-style tools:");
        if (emulator.CertificatePemPath is { } trust)
        {
            lines.Add($"  trust the certificate: Node NODE_EXTRA_CA_CERTS={trust}; Python/az REQUESTS_CA_BUNDLE={trust}; .NET on Linux SSL_CERT_FILE={trust}");
        }
        else
        {
            lines.Add("  without TLS only RetailEdge's own clients connect: the official SDKs speak TLS only (run without --tls false)");
        }
        lines.Add($"  the service SDKs and az call https://{host}:{SdkHttpsPort}/ with no endpoint setting: map {host} to 127.0.0.1 for them");
        lines.Add($"    (a hosts entry \"127.0.0.1 {host}\" on your machine, or the DNS lookup of the process)");
        if (restPort != SdkHttpsPort || !tls)
        {
            lines.Add($"  note: the service REST endpoint is on port {restPort.ToString(CultureInfo.InvariantCulture)}{(tls ? "" : " without TLS")}: the official service SDKs and az need https on {SdkHttpsPort} (--rest 127.0.0.1:{SdkHttpsPort})");
        }
        if (mqttPort != SdkMqttsPort || !tls)
        {
            lines.Add($"  note: device MQTT is on port {mqttPort.ToString(CultureInfo.InvariantCulture)}{(tls ? "" : " without TLS")}: the official device SDKs dial TLS port {SdkMqttsPort} (--mqtt 127.0.0.1:{SdkMqttsPort})");
        }
        lines.Add($"  az iot hub device-identity list --login \"{service}\"");
        lines.Add($"  az iot edge set-modules --device-id <deviceId> --content deployment.json --login \"{service}\"");
        lines.Add(string.Empty);
        lines.Add("RetailEdge commands against this hub:");
        var trustVariable = emulator.CertificatePemPath is { } certificate ? $"SSL_CERT_FILE={certificate} " : string.Empty;
        lines.Add($"  {trustVariable}{IotHubArguments.ConnectionStringVariable}=\"{service}\" {IotHubArguments.EndpointVariable}={emulator.RestBaseAddress} retailedge fleet status");
        lines.Add("  IotHubModuleClientOptions.FromConnectionString(<module connection string>) with { GatewayHostName = \"127.0.0.1\", "
            + $"Port = {mqttPort.ToString(CultureInfo.InvariantCulture)}, UseTls = {(tls ? "true, TrustedRootCertificates = <the certificate>" : "false")} }}");
        return lines;
    }
}
