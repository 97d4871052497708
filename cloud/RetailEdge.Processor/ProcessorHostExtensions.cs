using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;

namespace RetailEdge.Processor;

/// <summary>Wires the processor into the host: options from the environment (validated at start), the lake, the pipeline, metrics, health.</summary>
public static class ProcessorHostExtensions
{
    public static WebApplicationBuilder AddProcessor(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = ProcessorOptions.FromEnvironment(Environment.GetEnvironmentVariable);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new LakeContext(LakeLocations.OpenLake(options.Lake), sp.GetRequiredService<TimeProvider>(), options.ScratchDirectory));
        builder.Services.AddSingleton(sp => LakeLocations.OpenSource(options.Source));
        // the connection string is read here and handed to the client only: it never enters options, logs or health output
        var iotHubConnectionString = Environment.GetEnvironmentVariable(ProcessorOptions.IotHubConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(iotHubConnectionString))
        {
            var serviceOptions = new IotHubServiceClientOptions { ConnectionString = iotHubConnectionString, Endpoint = options.IotHubEndpoint };
            try
            {
                // validated at start: constructing parses the connection string (its error names the setting, not the value)
                using var probe = new IotHubServiceClient(serviceOptions);
            }
            catch (ArgumentException)
            {
                throw new InvalidOperationException($"{ProcessorOptions.IotHubConnectionStringVariable} is not a valid IoT Hub service-policy connection string");
            }
            builder.Services.AddSingleton(sp => new IotHubServiceClient(serviceOptions, logger: sp.GetRequiredService<ILogger<IotHubServiceClient>>()));
            builder.Services.AddSingleton(sp => new StoreHealthMonitor(sp.GetRequiredService<LakeContext>(), sp.GetRequiredService<IotHubServiceClient>(),
                options.StaleAfter, sp.GetRequiredService<ILogger<StoreHealthMonitor>>()));
        }
        builder.Services.AddSingleton(sp => new LakehousePipeline(
            sp.GetRequiredService<LakeContext>(), sp.GetRequiredService<ITelemetrySource>(), sp.GetRequiredService<ILoggerFactory>(),
            new LanderOptions { MaxFilesPerCommit = options.LanderMaxFilesPerCommit },
            new RefinerOptions { MaxBronzeCommits = options.RefinerMaxBronzeCommits },
            sp.GetService<StoreHealthMonitor>()));
        builder.Services.AddSingleton<ProcessorMetrics>();
        builder.Services.AddSingleton<ProcessorHealth>();
        builder.Services.AddHostedService<ProcessorWorker>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownGrace + TimeSpan.FromSeconds(5));
        return builder;
    }

    public static WebApplication MapProcessorEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<ProcessorOptions>();
        var health = app.Services.GetRequiredService<ProcessorHealth>();
        app.MapGet("/health", () =>
        {
            // stale after three missed polls: the loop is stuck or every cycle fails
            var (healthy, report) = health.Check(options.PollInterval * 3 + TimeSpan.FromMinutes(1));
            return Results.Json(report, ProcessorJsonContext.Default.ProcessorHealthReport, statusCode: healthy ? 200 : 503);
        });
        return app;
    }
}
