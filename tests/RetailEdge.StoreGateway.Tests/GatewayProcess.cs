using System.Globalization;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>The built StoreGateway host as a child process on 127.0.0.1 (store 17): its environment, its health, an HTTP client with the ingest key.</summary>
internal static class GatewayProcess
{
    public static Dictionary<string, string> Environment(string dataDirectory, int port) => new()
    {
        ["StoreGateway__StoreId"] = "17",
        ["StoreGateway__GatewayId"] = "store017-gw",
        ["StoreGateway__DataDirectory"] = dataDirectory,
        ["StoreGateway__Transport"] = "none",
        ["StoreGateway__InitialSettings"] = """{"allowedLatenessSeconds":0,"sendIntervalSeconds":1,"maxBatchBytes":4096}""",
        ["StoreGateway__HttpBindAddress"] = "127.0.0.1",
        ["StoreGateway__HttpPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["StoreGateway__IngestKey"] = GatewayHost.IngestKey,
        ["Logging__LogLevel__Default"] = "Warning",
        ["DOTNET_TieredPGO"] = "0",
    };

    /// <summary>Starts the built host, or the one in <paramref name="dll"/> (a published module).</summary>
    public static ManagedProcess Start(string dataDirectory, int port, IReadOnlyDictionary<string, string>? extra = null, string? dll = null)
    {
        var environment = Environment(dataDirectory, port);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return ManagedProcess.Start("dotnet", [dll ?? Dll()], environment: environment);
    }

    public static HttpClient CreateClient(int port, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = timeout ?? TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayHost.IngestKey);
        return client;
    }

    public static async Task<string> WaitHealthyAsync(HttpClient http, ManagedProcess process)
    {
        var deadline = System.Environment.TickCount64 + 60_000;
        while (true)
        {
            Assert.False(process.HasExited, "gateway exited: " + process.Output);
            try
            {
                return await http.GetStringAsync("health");
            }
            catch (HttpRequestException)
            {
                Assert.True(System.Environment.TickCount64 < deadline, "gateway did not become healthy: " + process.Output);
                await Task.Delay(50);
            }
        }
    }

    public static string Dll()
    {
        // The host is built with the test project (project reference), in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        return RepoPaths.Require(Path.Combine(RepoPaths.Root, "edge", "modules", "StoreGateway", "bin", configuration, "net10.0", "StoreGateway.dll"), "the built StoreGateway host");
    }
}
