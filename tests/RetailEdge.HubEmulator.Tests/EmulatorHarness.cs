using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>A started emulator on free loopback ports with a temp registry and routing folder.</summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    private readonly HubEmulatorOptions _options;

    private EmulatorHarness(TempDirectory directory, HubEmulatorOptions options, HubEmulator emulator, CapturingLoggerFactory logs)
    {
        Directory = directory;
        _options = options;
        Emulator = emulator;
        Logs = logs;
    }

    public TempDirectory Directory { get; }

    public HubEmulator Emulator { get; private set; }

    public CapturingLoggerFactory Logs { get; }

    public string RoutingFolder => Directory.Combine("routing");

    /// <summary>An HTTP client on the service REST API with a fresh service-policy SAS token.</summary>
    public HttpClient RestClient()
    {
        var registry = Emulator.Registry;
        var token = RetailEdge.IotHub.Credentials.SharedAccessSignature.Create(registry.HostName, registry.ServicePolicy.PrimaryKey, DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds(), registry.ServicePolicy.Name);
        var client = new HttpClient { BaseAddress = Emulator.RestBaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        return client;
    }

    public static async Task<EmulatorHarness> StartAsync(TimeSpan? batchInterval = null, string? routingTarget = null, string? accountKey = null, bool acknowledgeAfterWrite = false,
        Func<HubEmulatorOptions, HubEmulatorOptions>? configure = null)
    {
        var directory = new TempDirectory("hubemu");
        var logs = new CapturingLoggerFactory();
        var options = new HubEmulatorOptions
        {
            RegistryPath = directory.Combine("registry.json"),
            HubName = "testhub",
            RoutingTarget = routingTarget ?? directory.Combine("routing"),
            RoutingAccountKey = accountKey,
            BatchInterval = batchInterval ?? TimeSpan.FromSeconds(30),
            AcknowledgeAfterWrite = acknowledgeAfterWrite,
        };
        options = configure?.Invoke(options) ?? options;
        var emulator = new HubEmulator(options, TimeProvider.System, logs);
        await emulator.StartAsync(CancellationToken.None);
        return new EmulatorHarness(directory, options, emulator, logs);
    }

    /// <summary>Stops the emulator and starts a new one on the same registry, routing folder and event store (new free ports).</summary>
    public async Task RestartAsync()
    {
        await Emulator.DisposeAsync();
        Emulator = new HubEmulator(_options, TimeProvider.System, Logs);
        await Emulator.StartAsync(CancellationToken.None);
    }

    /// <summary>Every routed record line written so far under the routing folder.</summary>
    public IReadOnlyList<(string File, string Line)> RoutedLines()
    {
        if (!System.IO.Directory.Exists(RoutingFolder))
        {
            return [];
        }
        return System.IO.Directory.EnumerateFiles(RoutingFolder, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .SelectMany(f => File.ReadAllLines(f).Where(l => l.Length > 0).Select(l => (Path.GetRelativePath(RoutingFolder, f), l)))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        Directory.Dispose();
    }
}
