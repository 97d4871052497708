using RetailEdge.HubEmulator;
using RetailEdge.Testing;

namespace RetailEdge.IotHubService.Tests;

/// <summary>A started hub emulator and a service client pointed at its REST endpoint.</summary>
public sealed class EmulatorServiceHarness : IAsyncDisposable
{
    private EmulatorServiceHarness(TempDirectory directory, HubEmulator.HubEmulator emulator, IotHubServiceClient client)
    {
        Directory = directory;
        Emulator = emulator;
        Client = client;
    }

    public TempDirectory Directory { get; }

    public HubEmulator.HubEmulator Emulator { get; }

    public IotHubServiceClient Client { get; }

    public static async Task<EmulatorServiceHarness> StartAsync()
    {
        var directory = new TempDirectory("hubsvc");
        var emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = directory.Combine("registry.json"),
            HubName = "svchub",
            RoutingTarget = directory.Combine("routing"),
        });
        await emulator.StartAsync(CancellationToken.None);
        var client = new IotHubServiceClient(new IotHubServiceClientOptions
        {
            ConnectionString = emulator.Registry.ServiceConnectionString(),
            Endpoint = emulator.RestBaseAddress,
            MaxRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(50),
        });
        return new EmulatorServiceHarness(directory, emulator, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
        Directory.Dispose();
    }
}
