using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>
/// One TLS emulator for the tests with Microsoft's official Node SDKs, on the ports those SDKs
/// dial: the device SDK connects to port 8883 of GatewayHostName (127.0.0.1), the service SDK
/// to port 443 of the hub's host name, which the Node prelude maps to 127.0.0.1 inside the test
/// process (the machine's files stay untouched). Node trusts the emulator's kept certificate
/// through NODE_EXTRA_CA_CERTS.
/// </summary>
public sealed class OfficialSdkHub : IAsyncLifetime
{
    public const int MqttsPort = 8883;
    public const int HttpsPort = 443;

    /// <summary>
    /// Prepended to every script: the hub host name resolves to 127.0.0.1 in this process only
    /// (plain and "all" lookups, as Node's connection code asks for both), a failure exits 1 with
    /// the SDK's error class, and <c>result(obj)</c> prints the line the test parses.
    /// </summary>
    private const string Prelude = """
        'use strict';
        const dns = require('dns');
        const hubHost = process.env.RETAILEDGE_HUB_HOST.toLowerCase();
        const systemLookup = dns.lookup;
        dns.lookup = function (hostname, options, callback) {
          if (typeof options === 'function') { callback = options; options = {}; }
          if (typeof options === 'number') { options = { family: options }; }
          if (String(hostname).toLowerCase() === hubHost) {
            if (options && options.all) { return process.nextTick(callback, null, [{ address: '127.0.0.1', family: 4 }]); }
            return process.nextTick(callback, null, '127.0.0.1', 4);
          }
          return systemLookup.call(dns, hostname, options, callback);
        };
        const errorName = e => (e && (e.name && e.name !== 'Error' ? e.name : e.constructor && e.constructor.name)) || String(e);
        const result = obj => console.log('RESULT ' + JSON.stringify(obj));
        const fail = e => { console.log('FAILED ' + errorName(e) + ': ' + (e && e.message) + (e && e.responseBody ? ' body ' + e.responseBody : '')); process.exit(1); };
        process.on('unhandledRejection', fail);
        const sleep = ms => new Promise(r => setTimeout(r, ms));
        async function waitFor(condition, what, timeoutMs = 60000) {
          const deadline = Date.now() + timeoutMs;
          while (!condition()) {
            if (Date.now() > deadline) { throw new Error('timed out waiting for ' + what); }
            await sleep(25);
          }
        }

        """;

    private TempDirectory? _directory;

    public HubEmulator Emulator { get; private set; } = null!;

    public string RoutingFolder => _directory!.Combine("routing");

    public async Task InitializeAsync()
    {
        _directory = new TempDirectory("sdkhub");
        await StartEmulatorAsync();
    }

    /// <summary>Stops the emulator (buffered records are written) and starts a new one on the same registry, ports and certificate files.</summary>
    public async Task RestartAsync()
    {
        await Emulator.DisposeAsync();
        await StartEmulatorAsync();
    }

    private async Task StartEmulatorAsync()
    {
        var emulator = new HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = _directory!.Combine("registry.json"),
            HubName = "sdkhub",
            RoutingTarget = RoutingFolder,
            BatchInterval = TimeSpan.FromSeconds(30),
            UseTls = true,
            MqttEndPoint = new IPEndPoint(IPAddress.Loopback, MqttsPort),
            RestEndPoint = new IPEndPoint(IPAddress.Loopback, HttpsPort),
        });
        try
        {
            await emulator.StartAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
        {
            await emulator.DisposeAsync();
            throw new InvalidOperationException(
                $"the official IoT Hub SDK tests need 127.0.0.1:{MqttsPort} (the device SDK dials port 8883 of GatewayHostName) and 127.0.0.1:{HttpsPort} " +
                "(the service SDK dials port 443 of the hub host name) free and bindable by this user: stop what holds them, or run as a user allowed to bind port 443. " + ex.Message, ex);
        }
        Emulator = emulator;
    }

    public async Task DisposeAsync()
    {
        await Emulator.DisposeAsync();
        _directory?.Dispose();
    }

    /// <summary>The service connection string (service policy key): passed to the script as an argument, never logged.</summary>
    public string ServiceConnectionString => Emulator.Registry.ServiceConnectionString();

    /// <summary>A module connection string as a user of an edge gateway writes it: the hub host name plus GatewayHostName=127.0.0.1.</summary>
    public string GatewayModuleConnectionString(string deviceId, string moduleId) =>
        Emulator.Registry.ModuleConnectionString(deviceId, moduleId) + ";GatewayHostName=127.0.0.1";

    /// <summary>Runs an SDK script to completion and returns the object it passed to <c>result(…)</c>.</summary>
    public async Task<JsonObject> RunAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        var output = await NodeScript.RunAsync(Prelude + script, Environment, timeout, arguments);
        return ParseResult(output);
    }

    /// <summary>Starts an SDK script that keeps running (the caller waits for its output and disposes it).</summary>
    public ManagedProcess Start(string script, params string[] arguments) => NodeScript.Start(Prelude + script, Environment, arguments);

    /// <summary>The object a script printed with <c>result(…)</c>.</summary>
    public static JsonObject ParseResult(string output)
    {
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("the script printed no RESULT line:\n" + output);
        return JsonNode.Parse(line["RESULT ".Length..])!.AsObject();
    }

    private Dictionary<string, string> Environment => new()
    {
        ["NODE_EXTRA_CA_CERTS"] = Emulator.CertificatePemPath!,
        ["RETAILEDGE_HUB_HOST"] = Emulator.HostName,
    };
}
