using Microsoft.Extensions.Options;
using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>Wires the module: options, the engine, the transport, and one hosted service per loop.</summary>
public static class StoreGatewayHostExtensions
{
    public static WebApplicationBuilder AddStoreGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configured = builder.Configuration.GetSection(StoreGatewayOptions.Section).Get<StoreGatewayOptions>() ?? new StoreGatewayOptions();
        var options = (configured with { GatewayId = configured.GatewayId ?? Environment.GetEnvironmentVariable("IOTEDGE_DEVICEID") }).WithSecretsFromFiles();
        var settings = options.Validate();
        var transportKind = options.Transport == "auto"
            ? (Environment.GetEnvironmentVariable("IOTEDGE_WORKLOADURI") is not null || !string.IsNullOrEmpty(options.ConnectionString) ? "iothub" : "none")
            : options.Transport;

        var logLevel = new LogLevelSwitch { Level = options.LogLevel };
        builder.Logging.AddFilter((_, level) => logLevel.IsEnabled(level));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        // The documented bind address (HttpBindAddress/HttpPort) decides, whatever Urls says.
        builder.WebHost.UseUrls(options.HttpUrl());
        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(logLevel);
        services.AddSingleton(new MqttIngestState());
        services.AddSingleton(new IngestKeyCheck(options.IngestKey));
        services.AddSingleton(new IngestBudget(options.MaxInFlightBytes));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new GatewayEngine(new GatewayEngineOptions
        {
            StoreId = options.StoreId,
            GatewayId = options.GatewayId!,
            DataDirectory = options.DataDirectory,
            InitialSettings = settings,
            MaxEventsPerCommit = options.MaxEventsPerCommit,
            MinFreeDiskBytes = options.MinFreeDiskBytes,
            DiskReserveBytes = options.DiskReserveBytes,
            TimeProvider = sp.GetRequiredService<TimeProvider>(),
        }, sp.GetRequiredService<ILogger<GatewayEngine>>()));
        if (transportKind == "iothub")
        {
            services.AddSingleton<IHubTransport>(sp => IotHubTransport.Create(options, sp.GetRequiredService<ILoggerFactory>()));
        }
        else
        {
            // No upstream configured: batches stay in the outbox until a transport is configured.
            services.AddSingleton<IHubTransport>(new InMemoryHubTransport { Online = false });
        }
        services.AddHttpClient();
        services.AddSingleton(sp => new GatewayModule(
            sp.GetRequiredService<GatewayEngine>(),
            sp.GetRequiredService<IHubTransport>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient("reference-data"),
            logLevel,
            sp.GetRequiredService<ILogger<GatewayModule>>()) { ReportInterval = options.ReportInterval, ReferenceDataFileRoot = NullIfEmpty(options.ReferenceDataFileRoot) });
        services.AddHostedService<EngineService>();
        services.AddHostedService<UplinkService>();
        services.AddHostedService<TwinService>();
        if (!string.IsNullOrWhiteSpace(options.MqttHost))
        {
            services.AddHostedService<MqttIngestService>();
        }
        if (!string.IsNullOrWhiteSpace(options.SnapshotFolder))
        {
            services.AddHostedService<SnapshotFolderService>();
        }
        return builder;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
