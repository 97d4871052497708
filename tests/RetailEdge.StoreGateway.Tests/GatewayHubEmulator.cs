using System.Globalization;
using RetailEdge.HubEmulator;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>Our hub emulator on 127.0.0.1 with a gateway's StoreGateway module registered, and the settings that point the gateway at it.</summary>
internal static class GatewayHubEmulator
{
    /// <summary>Starts the emulator; routed messages go to <c>routing</c> in <paramref name="directory"/>.</summary>
    public static async Task<HubEmulator.HubEmulator> StartAsync(TempDirectory directory, string gatewayId)
    {
        var emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = directory.Combine("registry.json"),
            HubName = "testhub",
            RoutingTarget = directory.Combine("routing"),
            BatchInterval = TimeSpan.FromSeconds(60),
        });
        try
        {
            await emulator.StartAsync(CancellationToken.None);
            await emulator.Registry.AddModuleAsync(gatewayId, "StoreGateway");
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>The gateway's IoT Hub transport settings for the emulator (module MQTT without TLS), keys joined with <paramref name="separator"/> (":" or "__").</summary>
    public static Dictionary<string, string> TransportSettings(HubEmulator.HubEmulator emulator, string gatewayId, string separator) => new()
    {
        [$"StoreGateway{separator}Transport"] = "iothub",
        [$"StoreGateway{separator}ConnectionString"] = emulator.Registry.ModuleConnectionString(gatewayId, "StoreGateway") + ";GatewayHostName=127.0.0.1",
        [$"StoreGateway{separator}HubPort"] = emulator.MqttEndPoint.Port.ToString(CultureInfo.InvariantCulture),
        [$"StoreGateway{separator}HubUseTls"] = "false",
    };
}
