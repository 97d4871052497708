using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>A started emulator on free loopback ports with a temp registry and routing folder.</summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    private EmulatorHarness(TempDirectory directory, HubEmulator emulator, CapturingLoggerFactory logs)
    {
        Directory = directory;
        Emulator = emulator;
        Logs = logs;
    }

    public TempDirectory Directory { get; }

    public HubEmulator Emulator { get; }

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

    public static async Task<EmulatorHarness> StartAsync(TimeSpan? batchInterval = null, string? routingTarget = null, string? accountKey = null, bool acknowledgeAfterWrite = false)
    {
        var directory = new TempDirectory("hubemu");
        var logs = new CapturingLoggerFactory();
        var emulator = new HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = directory.Combine("registry.json"),
            HubName = "testhub",
            RoutingTarget = routingTarget ?? directory.Combine("routing"),
            RoutingAccountKey = accountKey,
            BatchInterval = batchInterval ?? TimeSpan.FromSeconds(30),
            AcknowledgeAfterWrite = acknowledgeAfterWrite,
        }, TimeProvider.System, logs);
        await emulator.StartAsync(CancellationToken.None);
        return new EmulatorHarness(directory, emulator, logs);
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
