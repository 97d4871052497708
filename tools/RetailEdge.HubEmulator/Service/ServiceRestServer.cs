using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RetailEdge.Contracts.Twin;
using RetailEdge.HubEmulator.Configurations;
using RetailEdge.HubEmulator.Devices;
using RetailEdge.HubEmulator.Query;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Twins;
using RetailEdge.IotHub;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.HubEmulator.Service;

/// <summary>
/// The service REST API subset (PROTOCOLS.md "Service REST", api-version 2021-04-12) on Kestrel:
/// device and module twins (GET, PATCH merge, PUT replace, with ETag / If-Match → 412),
/// POST /devices/query with x-ms-max-item-count and x-ms-continuation, direct method
/// invocation, deployments (applyConfigurationContent, configurations) and the identity registry
/// (<see cref="RegistryEndpoints"/>). Every request needs a service-policy SAS token in
/// Authorization; errors carry IoT Hub's body (<see cref="HubErrors"/>).
/// </summary>
internal sealed partial class ServiceRestServer : IAsyncDisposable
{
    public const int MaxTwinBodyBytes = 64 * 1024;
    public const int MaxMethodBodyBytes = 160 * 1024;
    public const int MaxMethodPayloadBytes = 128 * 1024;
    public const int MaxConfigurationBodyBytes = 512 * 1024;
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    private readonly HubRegistry _registry;
    private readonly TwinStore _twins;
    private readonly ConnectionRegistry _connections;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly RegistryEndpoints _registryEndpoints;
    private readonly ModulesContentApplier _applier;
    private readonly ConfigurationEndpoints _configurationEndpoints;
    private WebApplication? _app;

    public ServiceRestServer(HubRegistry registry, TwinStore twins, ConnectionRegistry connections, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _registry = registry;
        _twins = twins;
        _connections = connections;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("RetailEdge.HubEmulator.ServiceRest");
        _registryEndpoints = new RegistryEndpoints(registry, twins, connections, timeProvider);
        _applier = new ModulesContentApplier(registry, twins, connections);
        _configurationEndpoints = new ConfigurationEndpoints(twins, connections, _applier, timeProvider);
    }

    public IPEndPoint? BoundEndPoint { get; private set; }

    public async Task<IPEndPoint> StartAsync(IPEndPoint endPoint, X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ServiceRestServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Listen(endPoint, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        app.Use(HandleFailuresAsync);
        app.Use(AuthenticateAsync);
        app.MapGet("/twins/{deviceId}", (HttpContext c, string deviceId) => GetTwinAsync(c, new IdentityKey(deviceId, null)));
        app.MapMethods("/twins/{deviceId}", ["PATCH"], (HttpContext c, string deviceId) => UpdateTwinAsync(c, new IdentityKey(deviceId, null), replace: false));
        app.MapPut("/twins/{deviceId}", (HttpContext c, string deviceId) => UpdateTwinAsync(c, new IdentityKey(deviceId, null), replace: true));
        app.MapGet("/twins/{deviceId}/modules/{moduleId}", (HttpContext c, string deviceId, string moduleId) => GetTwinAsync(c, new IdentityKey(deviceId, moduleId)));
        app.MapMethods("/twins/{deviceId}/modules/{moduleId}", ["PATCH"], (HttpContext c, string deviceId, string moduleId) => UpdateTwinAsync(c, new IdentityKey(deviceId, moduleId), replace: false));
        app.MapPut("/twins/{deviceId}/modules/{moduleId}", (HttpContext c, string deviceId, string moduleId) => UpdateTwinAsync(c, new IdentityKey(deviceId, moduleId), replace: true));
        app.MapPost("/devices/query", QueryAsync);
        _registryEndpoints.Map(app);
        app.MapPost("/devices/{deviceId}/applyConfigurationContent", (HttpContext c, string deviceId) => ApplyConfigurationContentAsync(c, deviceId));
        _configurationEndpoints.Map(app);
        app.MapPost("/twins/{deviceId}/modules/{moduleId}/methods", (HttpContext c, string deviceId, string moduleId) => InvokeMethodAsync(c, new IdentityKey(deviceId, moduleId)));
        app.MapPost("/twins/{deviceId}/methods", (HttpContext c, string deviceId) => InvokeMethodAsync(c, new IdentityKey(deviceId, null)));
        app.MapFallback((HttpContext c) => HubErrors.WriteAsync(c, StatusCodes.Status404NotFound, "NotFound", "this emulator does not serve " + c.Request.Method + " " + c.Request.Path, _timeProvider));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BoundEndPoint = new IPEndPoint(endPoint.Address, new Uri(address).Port);
        return BoundEndPoint;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private async Task HandleFailuresAsync(HttpContext context, Func<Task> next)
    {
        try
        {
            await next().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // one failed request answers 500 in IoT Hub's shape; the server goes on
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
#pragma warning restore CA1031
        {
            LogRequestFailed(_logger, context.Request.Method, context.Request.Path, ex);
            await HubErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "ServerError", "the emulator failed to handle the request: " + ex.Message, _timeProvider).ConfigureAwait(false);
        }
    }

    private async Task AuthenticateAsync(HttpContext context, Func<Task> next)
    {
        var apiVersion = context.Request.Query["api-version"].ToString();
        if (string.IsNullOrEmpty(apiVersion))
        {
            await HubErrors.BadRequestAsync(context, "the api-version query parameter is required (2021-04-12)", _timeProvider).ConfigureAwait(false);
            return;
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            LogUnauthorized(_logger, context.Request.Method, context.Request.Path, "bearer tokens cannot be verified by the emulator; use a service SAS token");
            await HubErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "IotHubUnauthorizedAccess", "bearer tokens are not accepted by the emulator: use a service-policy SAS token", _timeProvider).ConfigureAwait(false);
            return;
        }
        var policy = _registry.ServicePolicy;
        var result = SasTokenValidator.ValidatePolicy(authorization, _registry.HostName, policy.Name, [SharedAccessSignature.DecodeKey(policy.PrimaryKey)], _timeProvider.GetUtcNow());
        if (!result.IsValid)
        {
            // the reason only: the token itself never reaches a log
            LogUnauthorized(_logger, context.Request.Method, context.Request.Path, result.Error + ": " + result.Message);
            await HubErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "IotHubUnauthorizedAccess", "Unauthorized: " + result.Message, _timeProvider).ConfigureAwait(false);
            return;
        }
        await next().ConfigureAwait(false);
    }

    private async Task GetTwinAsync(HttpContext context, IdentityKey identity)
    {
        var twin = _twins.GetServiceView(identity, _connections.IsConnected(identity));
        if (twin is null)
        {
            await HubErrors.NotFoundAsync(context, $"{(identity.ModuleId is null ? "device" : "module")} {identity} is not registered", identity.ModuleId is not null, _timeProvider).ConfigureAwait(false);
            return;
        }
        context.Response.Headers.ETag = ETags.Quote(twin["etag"]!.GetValue<string>());
        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, twin).ConfigureAwait(false);
    }

    private async Task UpdateTwinAsync(HttpContext context, IdentityKey identity, bool replace)
    {
        var (body, error) = await JsonResponses.ReadObjectAsync(context, MaxTwinBodyBytes).ConfigureAwait(false);
        if (body is null)
        {
            await HubErrors.BadRequestAsync(context, error!, _timeProvider).ConfigureAwait(false);
            return;
        }
        var ifMatch = context.Request.Headers.IfMatch.ToString();
        var result = _twins.UpdateFromService(identity, body, ifMatch, replace, _connections.IsConnected(identity));
        switch (result.Status)
        {
            case TwinUpdateStatus.Ok:
                if (identity.ModuleId is null)
                {
                    // new tags may bring the device into (or out of) a configuration's target condition
                    await _configurationEndpoints.ReconcileAsync(identity.DeviceId, context.RequestAborted).ConfigureAwait(false);
                }
                context.Response.Headers.ETag = ETags.Quote(result.Twin!["etag"]!.GetValue<string>());
                await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, result.Twin).ConfigureAwait(false);
                break;
            case TwinUpdateStatus.NotFound:
                await HubErrors.NotFoundAsync(context, result.Error!, identity.ModuleId is not null, _timeProvider).ConfigureAwait(false);
                break;
            case TwinUpdateStatus.PreconditionFailed:
                await HubErrors.PreconditionFailedAsync(context, result.Error!, _timeProvider).ConfigureAwait(false);
                break;
            default:
                await HubErrors.BadRequestAsync(context, result.Error!, _timeProvider).ConfigureAwait(false);
                break;
        }
    }

    private async Task QueryAsync(HttpContext context)
    {
        var (body, error) = await JsonResponses.ReadObjectAsync(context, 16 * 1024).ConfigureAwait(false);
        if (body is null)
        {
            await HubErrors.BadRequestAsync(context, error!, _timeProvider).ConfigureAwait(false);
            return;
        }
        if (body["query"] is not JsonValue queryValue || queryValue.GetValueKind() != JsonValueKind.String)
        {
            await HubErrors.BadRequestAsync(context, "the body must be {\"query\":\"SELECT * FROM devices.modules …\"}", _timeProvider).ConfigureAwait(false);
            return;
        }
        TwinQuery query;
        try
        {
            query = TwinQuery.Parse(queryValue.GetValue<string>());
        }
        catch (FormatException ex)
        {
            await HubErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "InvalidQuery", "invalid query: " + ex.Message, _timeProvider).ConfigureAwait(false);
            return;
        }
        var pageSize = DefaultPageSize;
        var maxItems = context.Request.Headers["x-ms-max-item-count"].ToString();
        if (maxItems.Length > 0 && (!int.TryParse(maxItems, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1 || pageSize > MaxPageSize))
        {
            await HubErrors.BadRequestAsync(context, $"x-ms-max-item-count must be 1–{MaxPageSize}", _timeProvider).ConfigureAwait(false);
            return;
        }
        var offset = 0;
        var continuation = context.Request.Headers["x-ms-continuation"].ToString();
        if (continuation.Length > 0 && !TryReadContinuation(continuation, out offset))
        {
            await HubErrors.BadRequestAsync(context, "x-ms-continuation is not a token this hub issued", _timeProvider).ConfigureAwait(false);
            return;
        }
        var source = query.OverModules ? _twins.AllModuleTwins(_connections.IsConnected) : _twins.AllDeviceTwins(_connections.IsConnected);
        var matches = source.Where(query.Matches).ToList();
        var page = new JsonArray();
        foreach (var twin in matches.Skip(offset).Take(pageSize))
        {
            page.Add(twin);
        }
        var next = offset + pageSize;
        if (next < matches.Count)
        {
            context.Response.Headers["x-ms-continuation"] = WriteContinuation(next);
        }
        context.Response.Headers["x-ms-item-type"] = "Twin";
        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, page).ConfigureAwait(false);
    }

    /// <summary>An IoT Edge deployment for one device (what <c>az iot edge set-modules</c> and the service SDKs send), see <see cref="ModulesContentApplier"/>.</summary>
    private async Task ApplyConfigurationContentAsync(HttpContext context, string deviceId)
    {
        if (_registry.FindDevice(deviceId) is null)
        {
            await HubErrors.NotFoundAsync(context, $"device {deviceId} is not registered", false, _timeProvider).ConfigureAwait(false);
            return;
        }
        var (body, error) = await JsonResponses.ReadObjectAsync(context, MaxConfigurationBodyBytes).ConfigureAwait(false);
        var (desiredByModule, invalid) = ModulesContentApplier.Check(body);
        if (desiredByModule is null)
        {
            await HubErrors.BadRequestAsync(context, error ?? invalid!, _timeProvider).ConfigureAwait(false);
            return;
        }
        if (await _applier.ApplyAsync(deviceId, desiredByModule, context.RequestAborted).ConfigureAwait(false) is { } failure)
        {
            await _registryEndpoints.WriteFailureAsync(context, failure.Status, failure.Error!).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task InvokeMethodAsync(HttpContext context, IdentityKey identity)
    {
        if (_registry.KeyOf(identity) is null)
        {
            await HubErrors.NotFoundAsync(context, $"{identity} is not registered", identity.ModuleId is not null, _timeProvider).ConfigureAwait(false);
            return;
        }
        var (body, error) = await JsonResponses.ReadObjectAsync(context, MaxMethodBodyBytes).ConfigureAwait(false);
        if (body is null)
        {
            await HubErrors.BadRequestAsync(context, error!, _timeProvider).ConfigureAwait(false);
            return;
        }
        var request = MethodInvocationRequest.Parse(body, out error);
        if (request is null)
        {
            await HubErrors.BadRequestAsync(context, error!, _timeProvider).ConfigureAwait(false);
            return;
        }
        var session = await _connections.WaitForMethodSessionAsync(identity, request.ConnectTimeout, _timeProvider, context.RequestAborted).ConfigureAwait(false);
        if (session is null)
        {
            LogMethodOffline(_logger, request.MethodName, identity.ToString());
            await HubErrors.WriteAsync(context, StatusCodes.Status404NotFound, "DeviceNotOnline", "Timed out waiting for device to connect.", _timeProvider).ConfigureAwait(false);
            return;
        }
        DeviceMethodResponse response;
        try
        {
            response = await session.InvokeMethodAsync(request.MethodName, request.Payload, request.ResponseTimeout, context.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogMethodTimeout(_logger, request.MethodName, identity.ToString(), request.ResponseTimeout);
            await HubErrors.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "GatewayTimeout", "Timed out waiting for the response from device.", _timeProvider).ConfigureAwait(false);
            return;
        }
        catch (IOException)
        {
            // the connection dropped before the answer: the device is no longer online
            await HubErrors.WriteAsync(context, StatusCodes.Status404NotFound, "DeviceNotOnline", "The device disconnected before answering.", _timeProvider).ConfigureAwait(false);
            return;
        }
        var result = new JsonObject { ["status"] = response.Status, ["payload"] = PayloadNode(response.Payload) };
        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, result).ConfigureAwait(false);
    }

    private static JsonNode? PayloadNode(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(payload.Span);
        }
        catch (JsonException)
        {
            // a device answering with non-JSON gets its text passed on as a JSON string
            return JsonValue.Create(Encoding.UTF8.GetString(payload.Span));
        }
    }

    private static string WriteContinuation(int offset) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes("offset:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static bool TryReadContinuation(string token, out int offset)
    {
        offset = 0;
        if (token.Length > 64)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[64];
        if (!Convert.TryFromBase64String(token, bytes, out var written))
        {
            return false;
        }
        var text = Encoding.ASCII.GetString(bytes[..written]);
        return text.StartsWith("offset:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "service request {Method} {Path} rejected: {Reason}")]
    private static partial void LogUnauthorized(ILogger logger, string method, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "service request {Method} {Path} failed")]
    private static partial void LogRequestFailed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "method {MethodName} for {Identity}: the identity is not connected")]
    private static partial void LogMethodOffline(ILogger logger, string methodName, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "method {MethodName} for {Identity}: no response within {Timeout}")]
    private static partial void LogMethodTimeout(ILogger logger, string methodName, string identity, TimeSpan timeout);
}
