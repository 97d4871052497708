using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Processor;

/// <summary>Wires the processor into the host: options from the environment (validated at start), the lake, the pipeline, metrics, health.</summary>
public static class ProcessorHostExtensions
{
    /// <param name="access">the environment and the Azure.Identity credential (tests pass their own); default the process's</param>
    public static WebApplicationBuilder AddProcessor(this WebApplicationBuilder builder, AzureAccess? access = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        access ??= AzureAccess.FromProcess();
        var options = ProcessorOptions.FromEnvironment(access);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(access);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new LakeContext(LakeLocations.OpenLake(options.Lake, access), sp.GetRequiredService<TimeProvider>(), options.ScratchDirectory));
        builder.Services.AddSingleton(sp => LakeLocations.OpenSource(options.Source, access));
        // validated at start: a bad connection string fails here (its error names the setting, not the value)
        using (CreateIotHubClient(options, access))
        {
        }
        if (options.IotHubHostName is not null || access.Get(ProcessorOptions.IotHubConnectionStringVariable) is not null)
        {
            builder.Services.AddSingleton(sp => CreateIotHubClient(options, access, sp.GetRequiredService<ILogger<IotHubServiceClient>>())!);
            builder.Services.AddSingleton(sp => new StoreHealthMonitor(sp.GetRequiredService<LakeContext>(), sp.GetRequiredService<IotHubServiceClient>(),
                options.StaleAfter, sp.GetRequiredService<ILogger<StoreHealthMonitor>>()));
            if (options.PublishReferenceData)
            {
                builder.Services.AddSingleton(sp => new ReferencePublisher(sp.GetRequiredService<IotHubServiceClient>(),
                    LakeLocations.OpenReferenceSetStore(options.Lake, access, options.ReferenceUrlLifetime, sp.GetRequiredService<TimeProvider>()),
                    new ReferencePublisherOptions { TimeProvider = sp.GetRequiredService<TimeProvider>() }, sp.GetRequiredService<ILogger<ReferencePublisher>>()));
                builder.Services.AddSingleton(sp => new LakeReferencePublication(sp.GetRequiredService<LakeContext>(), sp.GetRequiredService<ReferencePublisher>(),
                    sp.GetRequiredService<ILogger<LakeReferencePublication>>()));
            }
        }
        builder.Services.AddSingleton(sp => new LakehousePipeline(
            sp.GetRequiredService<LakeContext>(), sp.GetRequiredService<ITelemetrySource>(), sp.GetRequiredService<ILoggerFactory>(),
            new LanderOptions { MaxFilesPerCommit = options.LanderMaxFilesPerCommit },
            new RefinerOptions { MaxBronzeCommits = options.RefinerMaxBronzeCommits },
            sp.GetService<StoreHealthMonitor>(),
            sp.GetService<LakeReferencePublication>()));
        builder.Services.AddSingleton<ProcessorMetrics>();
        builder.Services.AddSingleton<ProcessorHealth>();
        builder.Services.AddHostedService<ProcessorWorker>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownGrace + TimeSpan.FromSeconds(5));
        return builder;
    }

    /// <summary>
    /// The hub client for gold.store_health, or null when no hub is configured: with
    /// RETAILEDGE_IOTHUB_CONNECTION_STRING, SAS tokens from the shared access policy; with
    /// RETAILEDGE_IOTHUB_HOST_NAME, bearer tokens from Azure.Identity for https://iothubs.azure.net/.default
    /// (the identity needs the "IoT Hub Twin Contributor" role or a role with twin read). The connection
    /// string is read here and handed to the client only: it never enters options, logs or health output.
    /// </summary>
    public static IotHubServiceClient? CreateIotHubClient(ProcessorOptions options, AzureAccess access, ILogger<IotHubServiceClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(access);
        IotHubServiceClientOptions serviceOptions;
        if (access.Get(ProcessorOptions.IotHubConnectionStringVariable) is { } connectionString)
        {
            serviceOptions = new IotHubServiceClientOptions { ConnectionString = connectionString, Endpoint = options.IotHubEndpoint };
        }
        else if (options.IotHubHostName is { } hostName)
        {
            var credential = access.CredentialFor($"the IoT Hub {hostName} (no {ProcessorOptions.IotHubConnectionStringVariable}; {ProcessorOptions.IotHubHostNameVariable} is set)");
            serviceOptions = new IotHubServiceClientOptions { HostName = hostName, Credential = credential, Endpoint = options.IotHubEndpoint };
        }
        else
        {
            return null;
        }
        try
        {
            return new IotHubServiceClient(serviceOptions, logger: logger);
        }
        catch (ArgumentException)
        {
            throw new InvalidOperationException(serviceOptions.ConnectionString is not null
                ? $"{ProcessorOptions.IotHubConnectionStringVariable} is not a valid IoT Hub service-policy connection string"
                : $"{ProcessorOptions.IotHubHostNameVariable} or {ProcessorOptions.IotHubEndpointVariable} is not valid for the IoT Hub service client");
        }
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
