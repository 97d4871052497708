using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;
using RetailEdge.Testing;
using StoreGateway;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>The real StoreGateway host in-process on 127.0.0.1 and a free port, with a clock the test moves.</summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, int port, ManualClock clock)
    {
        _app = app;
        Port = port;
        Clock = clock;
    }

    public int Port { get; }

    public ManualClock Clock { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public GatewayEngine Engine => _app.Services.GetRequiredService<GatewayEngine>();

    /// <summary>The store's ingest key every test gateway is configured with.</summary>
    public const string IngestKey = "test-ingest-key-4f1c9a27d3";

    /// <summary>An HTTP client for this gateway, as a lane would use it (with the ingest key, unless told otherwise).</summary>
    public HttpClient CreateClient(string? key = IngestKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public static async Task<GatewayHost> StartAsync(string dataDirectory, DateTimeOffset now, IDictionary<string, string?>? settings = null)
    {
        var port = FreePort.Next();
        var clock = new ManualClock(now);
        var builder = WebApplication.CreateSlimBuilder();
        var values = new Dictionary<string, string?>
        {
            ["StoreGateway:StoreId"] = "1",
            ["StoreGateway:GatewayId"] = "store001-gw",
            ["StoreGateway:DataDirectory"] = dataDirectory,
            ["StoreGateway:Transport"] = "none",
            ["StoreGateway:HttpBindAddress"] = "127.0.0.1",
            ["StoreGateway:HttpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["StoreGateway:IngestKey"] = IngestKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddStoreGateway();
        builder.Services.AddSingleton<TimeProvider>(clock);
        var app = builder.Build();
        app.MapStoreGatewayEndpoints();
        await app.StartAsync();
        return new GatewayHost(app, port, clock);
    }

    public Task WaitForMqttSubscriptionAsync() =>
        GatewayModuleTestsSupport.WaitUntilAsync(() => _app.Services.GetRequiredService<MqttIngestState>().State == "subscribed", 30_000);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
