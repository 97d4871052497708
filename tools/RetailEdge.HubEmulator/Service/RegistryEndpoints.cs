using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RetailEdge.HubEmulator.Devices;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Twins;

namespace RetailEdge.HubEmulator.Service;

/// <summary>
/// The identity registry over REST (PROTOCOLS.md "Service REST", Registry): PUT/GET/DELETE of
/// devices and modules with ETags and If-Match, the device list (<c>?top=N</c>), a device's
/// module list, the device statistics, and the built-in endpoint's consumer groups. Changes are saved to the registry file before the
/// answer; a deleted identity loses its twin.
/// </summary>
internal sealed class RegistryEndpoints
{
    public const int MaxIdentityBodyBytes = 16 * 1024;
    public const int DefaultListSize = 1000;

    private readonly HubRegistry _registry;
    private readonly TwinStore _twins;
    private readonly ConnectionRegistry _connections;
    private readonly TimeProvider _timeProvider;

    public RegistryEndpoints(HubRegistry registry, TwinStore twins, ConnectionRegistry connections, TimeProvider timeProvider)
    {
        _registry = registry;
        _twins = twins;
        _connections = connections;
        _timeProvider = timeProvider;
    }

    public void Map(WebApplication app)
    {
        app.MapGet("/devices", ListDevicesAsync);
        app.MapGet("/statistics/devices", (HttpContext c) => WriteAsync(c, StatusCodes.Status200OK, _registry.Statistics(), ServiceJsonContext.Default.RegistryStatistics));
        app.MapGet("/devices/{deviceId}", (HttpContext c, string deviceId) => GetDeviceAsync(c, deviceId));
        app.MapPut("/devices/{deviceId}", (HttpContext c, string deviceId) => PutDeviceAsync(c, deviceId));
        app.MapDelete("/devices/{deviceId}", (HttpContext c, string deviceId) => DeleteDeviceAsync(c, deviceId));
        app.MapGet("/devices/{deviceId}/modules", (HttpContext c, string deviceId) => ListModulesAsync(c, deviceId));
        app.MapGet("/devices/{deviceId}/modules/{moduleId}", (HttpContext c, string deviceId, string moduleId) => GetModuleAsync(c, deviceId, moduleId));
        app.MapPut("/devices/{deviceId}/modules/{moduleId}", (HttpContext c, string deviceId, string moduleId) => PutModuleAsync(c, deviceId, moduleId));
        app.MapDelete("/devices/{deviceId}/modules/{moduleId}", (HttpContext c, string deviceId, string moduleId) => DeleteModuleAsync(c, deviceId, moduleId));
        // the built-in endpoint's consumer groups, on the path Azure's management API gives them (…/eventHubEndpoints/events/ConsumerGroups/{name})
        app.MapGet(ConsumerGroupsPath, (HttpContext c) =>
            WriteAsync(c, StatusCodes.Status200OK, _registry.ConsumerGroups.Select(ConsumerGroupInfo.Of).ToList(), ServiceJsonContext.Default.ListConsumerGroupInfo));
        app.MapPut(ConsumerGroupsPath + "/{name}", (HttpContext c, string name) => ChangeConsumerGroupAsync(c, _registry.AddConsumerGroupAsync(name, c.RequestAborted)));
        app.MapDelete(ConsumerGroupsPath + "/{name}", (HttpContext c, string name) => ChangeConsumerGroupAsync(c, _registry.DeleteConsumerGroupAsync(name, c.RequestAborted)));
    }

    public const string ConsumerGroupsPath = "/eventHubEndpoints/events/ConsumerGroups";

    private async Task ChangeConsumerGroupAsync(HttpContext context, Task<RegistryResult<string>> change)
    {
        var result = await change.ConfigureAwait(false);
        if (!result.Succeeded)
        {
            await WriteFailureAsync(context, result.Status, result.Error!).ConfigureAwait(false);
            return;
        }
        if (result.Status == RegistryStatus.Deleted)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        var status = result.Status == RegistryStatus.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        await WriteAsync(context, status, ConsumerGroupInfo.Of(result.Identity!), ServiceJsonContext.Default.ConsumerGroupInfo).ConfigureAwait(false);
    }

    private Task ListDevicesAsync(HttpContext context)
    {
        var top = DefaultListSize;
        var topText = context.Request.Query["top"].ToString();
        if (topText.Length > 0 && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > DefaultListSize))
        {
            return HubErrors.BadRequestAsync(context, $"top must be 1–{DefaultListSize}", _timeProvider);
        }
        var devices = _registry.Devices.OrderBy(d => d.DeviceId, StringComparer.Ordinal).Take(top).Select(DeviceView).ToList();
        return WriteAsync(context, StatusCodes.Status200OK, devices, ServiceJsonContext.Default.ListRegistryDevice);
    }

    private Task GetDeviceAsync(HttpContext context, string deviceId) =>
        _registry.FindDevice(deviceId) is { } device
            ? WriteWithETagAsync(context, StatusCodes.Status200OK, DeviceView(device), device.ETag, ServiceJsonContext.Default.RegistryDevice)
            : HubErrors.NotFoundAsync(context, $"device {deviceId} is not registered", module: false, _timeProvider);

    private async Task PutDeviceAsync(HttpContext context, string deviceId)
    {
        var (body, error) = await ReadAsync(context, ServiceJsonContext.Default.RegistryDevice).ConfigureAwait(false);
        if (body is null)
        {
            await HubErrors.BadRequestAsync(context, error!, _timeProvider).ConfigureAwait(false);
            return;
        }
        if (body.DeviceId is not null && body.DeviceId != deviceId)
        {
            await HubErrors.BadRequestAsync(context, $"the body's deviceId '{body.DeviceId}' differs from the path's '{deviceId}'", _timeProvider).ConfigureAwait(false);
            return;
        }
        var settings = Settings(body.Authentication, out error);
        if (settings is null)
        {
            await HubErrors.BadRequestAsync(context, error!, _timeProvider).ConfigureAwait(false);
            return;
        }
        settings = settings with { Status = body.Status, IotEdge = body.Capabilities?.IotEdge };
        var result = await _registry.PutDeviceAsync(deviceId, settings, IfMatch(context), context.RequestAborted).ConfigureAwait(false);
        if (result.Identity is { } device)
        {
            await WriteWithETagAsync(context, StatusCodes.Status200OK, DeviceView(device), device.ETag, ServiceJsonContext.Default.RegistryDevice).ConfigureAwait(false);
            return;
        }
        await WriteFailureAsync(context, result.Status, result.Error!).ConfigureAwait(false);
    }

    private async Task DeleteDeviceAsync(HttpContext context, string deviceId)
    {
        var result = await _registry.DeleteDeviceAsync(deviceId, IfMatch(context), context.RequestAborted).ConfigureAwait(false);
        if (result.Succeeded)
        {
            _twins.Forget(new IdentityKey(deviceId, null));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        await WriteFailureAsync(context, result.Status, result.Error!).ConfigureAwait(false);
    }

    private Task ListModulesAsync(HttpContext context, string deviceId)
    {
        if (_registry.FindDevice(deviceId) is not { } device)
        {
            return HubErrors.NotFoundAsync(context, $"device {deviceId} is not registered", module: false, _timeProvider);
        }
        var modules = device.Modules.OrderBy(m => m.ModuleId, StringComparer.Ordinal).Select(m => ModuleView(deviceId, m)).ToList();
        return WriteAsync(context, StatusCodes.Status200OK, modules, ServiceJsonContext.Default.ListRegistryModule);
    }

    private Task GetModuleAsync(HttpContext context, string deviceId, string moduleId)
    {
        if (_registry.FindDevice(deviceId) is null)
        {
            return HubErrors.NotFoundAsync(context, $"device {deviceId} is not registered", module: false, _timeProvider);
        }
        return _registry.FindModule(deviceId, moduleId) is { } module
            ? WriteWithETagAsync(context, StatusCodes.Status200OK, ModuleView(deviceId, module), module.ETag, ServiceJsonContext.Default.RegistryModule)
            : HubErrors.NotFoundAsync(context, $"module {deviceId}/{moduleId} is not registered", module: true, _timeProvider);
    }

    private async Task PutModuleAsync(HttpContext context, string deviceId, string moduleId)
    {
        var (body, error) = await ReadAsync(context, ServiceJsonContext.Default.RegistryModule).ConfigureAwait(false);
        if (body is null)
        {
            await HubErrors.BadRequestAsync(context, error!, _timeProvider).ConfigureAwait(false);
            return;
        }
        if ((body.DeviceId is not null && body.DeviceId != deviceId) || (body.ModuleId is not null && body.ModuleId != moduleId))
        {
            await HubErrors.BadRequestAsync(context, $"the body's deviceId/moduleId differ from the path's '{deviceId}/{moduleId}'", _timeProvider).ConfigureAwait(false);
            return;
        }
        var settings = Settings(body.Authentication, out error);
        if (settings is null)
        {
            await HubErrors.BadRequestAsync(context, error!, _timeProvider).ConfigureAwait(false);
            return;
        }
        var result = await _registry.PutModuleAsync(deviceId, moduleId, settings, IfMatch(context), context.RequestAborted).ConfigureAwait(false);
        if (result.Identity is { } module)
        {
            await WriteWithETagAsync(context, StatusCodes.Status200OK, ModuleView(deviceId, module), module.ETag, ServiceJsonContext.Default.RegistryModule).ConfigureAwait(false);
            return;
        }
        await WriteFailureAsync(context, result.Status, result.Error!).ConfigureAwait(false);
    }

    private async Task DeleteModuleAsync(HttpContext context, string deviceId, string moduleId)
    {
        var result = await _registry.DeleteModuleAsync(deviceId, moduleId, IfMatch(context), context.RequestAborted).ConfigureAwait(false);
        if (result.Succeeded)
        {
            _twins.Forget(new IdentityKey(deviceId, moduleId));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        await WriteFailureAsync(context, result.Status, result.Error!).ConfigureAwait(false);
    }

    /// <summary>Writes a refused registry change with IoT Hub's status code and error name.</summary>
    internal Task WriteFailureAsync(HttpContext context, RegistryStatus status, string error) => status switch
    {
        RegistryStatus.DeviceNotFound => HubErrors.NotFoundAsync(context, error, module: false, _timeProvider),
        RegistryStatus.ModuleNotFound => HubErrors.NotFoundAsync(context, error, module: true, _timeProvider),
        RegistryStatus.DeviceAlreadyExists => HubErrors.WriteAsync(context, StatusCodes.Status409Conflict, "DeviceAlreadyExists", error, _timeProvider),
        RegistryStatus.ModuleAlreadyExists => HubErrors.WriteAsync(context, StatusCodes.Status409Conflict, "ModuleAlreadyExistsOnDevice", error, _timeProvider),
        RegistryStatus.PreconditionFailed => HubErrors.PreconditionFailedAsync(context, error, _timeProvider),
        RegistryStatus.ConsumerGroupNotFound => HubErrors.WriteAsync(context, StatusCodes.Status404NotFound, "ConsumerGroupNotFound", error, _timeProvider),
        _ => HubErrors.BadRequestAsync(context, error, _timeProvider),
    };

    private static IdentitySettings? Settings(AuthenticationMechanism? authentication, out string? error)
    {
        error = null;
        if (authentication?.Type is { } type && !string.Equals(type, AuthenticationMechanism.Sas, StringComparison.OrdinalIgnoreCase))
        {
            error = $"authentication type '{type}' is not served by the emulator: use 'sas' (symmetric keys)";
            return null;
        }
        if (!string.IsNullOrEmpty(authentication?.X509Thumbprint?.PrimaryThumbprint) || !string.IsNullOrEmpty(authentication?.X509Thumbprint?.SecondaryThumbprint))
        {
            error = "X.509 thumbprints are not served by the emulator: use symmetric keys";
            return null;
        }
        return new IdentitySettings { PrimaryKey = authentication?.SymmetricKey?.PrimaryKey, SecondaryKey = authentication?.SymmetricKey?.SecondaryKey };
    }

    private RegistryDevice DeviceView(DeviceIdentity device) => new()
    {
        DeviceId = device.DeviceId,
        GenerationId = device.GenerationId,
        ETag = device.ETag,
        ConnectionState = ConnectionState(new IdentityKey(device.DeviceId, null)),
        Status = device.Status,
        ConnectionStateUpdatedTime = DateTimeOffset.MinValue,
        StatusUpdatedTime = DateTimeOffset.MinValue,
        LastActivityTime = DateTimeOffset.MinValue,
        Authentication = Authentication(device.PrimaryKey, device.SecondaryKey),
        Capabilities = new DeviceCapabilities { IotEdge = device.IotEdge },
    };

    private RegistryModule ModuleView(string deviceId, ModuleIdentity module) => new()
    {
        ModuleId = module.ModuleId,
        DeviceId = deviceId,
        ManagedBy = module.ManagedBy,
        GenerationId = module.GenerationId,
        ETag = module.ETag,
        ConnectionState = ConnectionState(new IdentityKey(deviceId, module.ModuleId)),
        ConnectionStateUpdatedTime = DateTimeOffset.MinValue,
        LastActivityTime = DateTimeOffset.MinValue,
        Authentication = Authentication(module.PrimaryKey, module.SecondaryKey),
    };

    private string ConnectionState(IdentityKey identity) => _connections.IsConnected(identity) ? "Connected" : "Disconnected";

    private static AuthenticationMechanism Authentication(string primaryKey, string secondaryKey) => new()
    {
        Type = AuthenticationMechanism.Sas,
        SymmetricKey = new SymmetricKey { PrimaryKey = primaryKey, SecondaryKey = secondaryKey },
        X509Thumbprint = new X509Thumbprint(),
    };

    private static string? IfMatch(HttpContext context)
    {
        var value = context.Request.Headers.IfMatch.ToString();
        return value.Length == 0 ? null : value;
    }

    private static async Task<(T? Body, string? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var (body, error) = await JsonResponses.ReadObjectAsync(context, MaxIdentityBodyBytes).ConfigureAwait(false);
        if (body is null)
        {
            return (null, error);
        }
        try
        {
            return (body.Deserialize(typeInfo), null);
        }
        catch (JsonException ex)
        {
            return (null, "the request body does not have the registry's shape: " + ex.Message);
        }
    }

    private static Task WriteWithETagAsync<T>(HttpContext context, int status, T body, string etag, JsonTypeInfo<T> typeInfo)
    {
        context.Response.Headers.ETag = ETags.Quote(etag);
        return WriteAsync(context, status, body, typeInfo);
    }

    private static Task WriteAsync<T>(HttpContext context, int status, T body, JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, typeInfo), context.RequestAborted);
    }
}
