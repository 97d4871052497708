using System.Globalization;
using RetailEdge.HubEmulator;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Tests;

/// <summary><c>emulator run</c> tells a new user how to connect: endpoints, certificate, connection strings and settings.</summary>
public sealed class EmulatorCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("emulator-cli");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_TlsWithAModule_PrintsConnectionStringsTrustAndPortNotes()
    {
        var registryPath = _temp.Combine("hub.json");
        var registry = await HubRegistry.OpenOrCreateAsync(registryPath, "devhub");
        await registry.AddModuleAsync("store017-gw", "StoreGateway");
        var options = new HubEmulatorOptions { RegistryPath = registryPath, HubName = "devhub", RoutingTarget = _temp.Combine("routed"), UseTls = true };

        var (exitCode, text) = await RunUntilReadyAsync(options);

        Assert.True(exitCode == 0, text);
        var pem = Path.Combine(_temp.Path, "devhub-emulator-cert.pem");
        Assert.True(File.Exists(pem));
        Assert.Contains(registry.ModuleConnectionString("store017-gw", "StoreGateway") + ";GatewayHostName=127.0.0.1", text, StringComparison.Ordinal);
        Assert.Contains(registry.ServiceConnectionString(), text, StringComparison.Ordinal);
        Assert.Contains(registry.DeviceConnectionString("store017-gw") + ";GatewayHostName=127.0.0.1", text, StringComparison.Ordinal);
        Assert.Contains("NODE_EXTRA_CA_CERTS=" + pem, text, StringComparison.Ordinal);
        Assert.Contains("REQUESTS_CA_BUNDLE=" + pem, text, StringComparison.Ordinal);
        Assert.Contains("az iot edge set-modules --device-id <deviceId> --content deployment.json --login \"" + registry.ServiceConnectionString() + "\"", text, StringComparison.Ordinal);
        Assert.Contains("map devhub.azure-devices.net to 127.0.0.1", text, StringComparison.Ordinal);
        Assert.Contains($";SharedAccessKeyName=service;SharedAccessKey={registry.ServicePolicy.PrimaryKey};EntityPath=devhub", text, StringComparison.Ordinal);
        // free ports were asked for: the guide says which ports the official SDKs need instead
        Assert.Contains("--mqtt 127.0.0.1:8883", text, StringComparison.Ordinal);
        Assert.Contains("--rest 127.0.0.1:443", text, StringComparison.Ordinal);
        Assert.Contains("development emulator", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PlainWithoutModules_SaysHowToAddOneAndThatTheSdksNeedTls()
    {
        var options = new HubEmulatorOptions { RegistryPath = _temp.Combine("plain.json"), HubName = "plainhub", RoutingTarget = _temp.Combine("routed") };

        var (exitCode, text) = await RunUntilReadyAsync(options);

        Assert.True(exitCode == 0, text);
        Assert.Contains("retailedge emulator add-module", text, StringComparison.Ordinal);
        Assert.Contains("the official SDKs speak TLS only", text, StringComparison.Ordinal);
        Assert.DoesNotContain("certificate", text.Split('\n')[3], StringComparison.Ordinal);
    }

    /// <summary>Runs the command until it says how to stop it, stops it, and returns its exit code and everything it printed.</summary>
    private static async Task<(int ExitCode, string Text)> RunUntilReadyAsync(HubEmulatorOptions options)
    {
        var printed = new StringWriter(CultureInfo.InvariantCulture);
        var output = TextWriter.Synchronized(printed);
        using var stop = new CancellationTokenSource();
        string Text()
        {
            // the synchronized writer locks on itself: read under the same lock
            lock (output)
            {
                return printed.ToString();
            }
        }

        var run = EmulatorCommand.RunAsync(options, output, output, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Text().Contains("Ctrl+C", StringComparison.Ordinal) && !run.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        var exitCode = await run;
        return (exitCode, Text());
    }
}
