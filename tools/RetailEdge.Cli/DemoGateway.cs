using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StoreGateway;

namespace RetailEdge.Cli;

/// <summary>
/// One StoreGateway module hosted in the demo's process: the same host wiring as the container
/// (<c>AddStoreGateway</c>), configured to reach the local hub emulator over plain TCP on loopback
/// and to serve HTTP ingest on a free loopback port with a fresh ingest key of its own (lanes present it).
/// </summary>
public sealed class DemoGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _ingestKey;

    private DemoGateway(WebApplication app, int storeId, string deviceId, Uri baseAddress, string ingestKey)
    {
        _app = app;
        _ingestKey = ingestKey;
        StoreId = storeId;
        DeviceId = deviceId;
        BaseAddress = baseAddress;
    }

    public int StoreId { get; }

    public string DeviceId { get; }

    public Uri BaseAddress { get; }

    /// <summary>Adds this store's ingest key to a lane's request.</summary>
    public void Authorize(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _ingestKey);
    }

    public static async Task<DemoGateway> StartAsync(int storeId, string deviceId, string connectionString, int hubMqttPort, string dataDirectory, string referenceDataFileRoot, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        var ingestKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = dataDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["StoreGateway:StoreId"] = storeId.ToString(CultureInfo.InvariantCulture),
            ["StoreGateway:GatewayId"] = deviceId,
            ["StoreGateway:DataDirectory"] = dataDirectory,
            ["StoreGateway:Transport"] = "iothub",
            ["StoreGateway:ConnectionString"] = connectionString,
            ["StoreGateway:HubPort"] = hubMqttPort.ToString(CultureInfo.InvariantCulture),
            ["StoreGateway:HubUseTls"] = "false",
            // seal every few seconds instead of every minute: a demo should not wait
            ["StoreGateway:InitialSettings"] = "{\"sendIntervalSeconds\":2}",
            ["StoreGateway:ReportInterval"] = "00:00:02",
            ["StoreGateway:HttpBindAddress"] = "127.0.0.1",
            ["StoreGateway:HttpPort"] = "0",
            ["StoreGateway:IngestKey"] = ingestKey,
            ["StoreGateway:ReferenceDataFileRoot"] = referenceDataFileRoot,
        });
        builder.Logging.ClearProviders();
        // the demo's own output is the story; the gateways only speak up about problems
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
        builder.AddStoreGateway();
        var app = builder.Build();
        app.MapStoreGatewayEndpoints();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Urls.First();
        return new DemoGateway(app, storeId, deviceId, new Uri(address.EndsWith('/') ? address : address + "/"), ingestKey);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
