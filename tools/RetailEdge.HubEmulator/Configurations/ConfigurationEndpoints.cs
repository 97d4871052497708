using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RetailEdge.HubEmulator.Devices;
using RetailEdge.HubEmulator.Query;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Service;
using RetailEdge.HubEmulator.Twins;

namespace RetailEdge.HubEmulator.Configurations;

/// <summary>
/// IoT Hub configurations for IoT Edge (automatic deployments, PROTOCOLS.md "Service REST"):
/// <c>PUT | GET | DELETE /configurations/{id}</c> and <c>GET /configurations</c>. A configuration holds
/// <c>{"content":{"modulesContent":…},"targetCondition":"tags.…","priority":N}</c>; every device twin the
/// condition matches gets the modulesContent of the highest-priority configuration that targets it (the newest
/// on a tie), applied as applyConfigurationContent does. Targeting is evaluated when a configuration is put or
/// deleted and when a device twin changes (its tags); a device is re-applied only when the configuration that
/// wins for it changes, so a module's later twin patches are not overwritten. As in IoT Hub, the content of an
/// existing configuration cannot change (put a new one); its target condition and priority can (If-Match).
/// Configurations live in memory, as twins do.
/// </summary>
internal sealed class ConfigurationEndpoints
{
    public const int MaxConfigurations = 100;

    private readonly TwinStore _twins;
    private readonly ConnectionRegistry _connections;
    private readonly ModulesContentApplier _applier;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, EdgeConfiguration> _configurations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _appliedByDevice = new(StringComparer.Ordinal);

    public ConfigurationEndpoints(TwinStore twins, ConnectionRegistry connections, ModulesContentApplier applier, TimeProvider timeProvider)
    {
        _twins = twins;
        _connections = connections;
        _applier = applier;
        _timeProvider = timeProvider;
    }

    public void Map(WebApplication app)
    {
        app.MapGet("/configurations", ListAsync);
        app.MapGet("/configurations/{id}", (HttpContext c, string id) => GetAsync(c, id));
        app.MapPut("/configurations/{id}", (HttpContext c, string id) => PutAsync(c, id));
        app.MapDelete("/configurations/{id}", (HttpContext c, string id) => DeleteAsync(c, id));
    }

    /// <summary>Re-evaluates the targeting of one device (after its twin changed) or of every device (null).</summary>
    public async Task ReconcileAsync(string? deviceId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ReconcileLockedAsync(deviceId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReconcileLockedAsync(string? deviceId, CancellationToken cancellationToken)
    {
        if (_configurations.Count == 0 && _appliedByDevice.Count == 0)
        {
            return;
        }
        foreach (var twin in _twins.AllDeviceTwins(_connections.IsConnected))
        {
            var device = twin["deviceId"]!.GetValue<string>();
            if (deviceId is not null && device != deviceId)
            {
                continue;
            }
            var winner = _configurations.Values.Where(c => c.Query.Matches(twin))
                .OrderByDescending(c => c.Priority).ThenByDescending(c => c.CreatedTimeUtc).ThenBy(c => c.Id, StringComparer.Ordinal)
                .FirstOrDefault();
            if (winner is null)
            {
                // a device no configuration targets keeps what it runs, as with IoT Hub
                _appliedByDevice.Remove(device);
                continue;
            }
            if (_appliedByDevice.TryGetValue(device, out var applied) && applied == winner.Id)
            {
                continue;
            }
            if (await _applier.ApplyAsync(device, winner.DesiredByModule, cancellationToken).ConfigureAwait(false) is null)
            {
                _appliedByDevice[device] = winner.Id;
            }
        }
    }

    private async Task ListAsync(HttpContext context)
    {
        JsonArray list;
        await _gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            list = [.. _configurations.Values.OrderBy(c => c.Id, StringComparer.Ordinal).Select(View)];
        }
        finally
        {
            _gate.Release();
        }
        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, list).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context, string id)
    {
        JsonObject? view;
        await _gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            view = _configurations.TryGetValue(id, out var configuration) ? View(configuration) : null;
        }
        finally
        {
            _gate.Release();
        }
        if (view is null)
        {
            await NotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }
        context.Response.Headers.ETag = ETags.Quote(view["etag"]!.GetValue<string>());
        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, view).ConfigureAwait(false);
    }

    private async Task PutAsync(HttpContext context, string id)
    {
        var (body, error) = await JsonResponses.ReadObjectAsync(context, ServiceRestServer.MaxConfigurationBodyBytes).ConfigureAwait(false);
        if (body is null)
        {
            await HubErrors.BadRequestAsync(context, error!, _timeProvider).ConfigureAwait(false);
            return;
        }
        var (request, invalid) = Parse(id, body);
        if (request is null)
        {
            await HubErrors.BadRequestAsync(context, invalid!, _timeProvider).ConfigureAwait(false);
            return;
        }
        var ifMatch = context.Request.Headers.IfMatch.ToString();
        JsonObject view;
        await _gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            var now = _timeProvider.GetUtcNow();
            if (_configurations.TryGetValue(id, out var existing))
            {
                if (ifMatch.Length == 0)
                {
                    await HubErrors.WriteAsync(context, StatusCodes.Status409Conflict, "ConfigurationAlreadyExists", $"configuration {id} exists: update it with If-Match", _timeProvider).ConfigureAwait(false);
                    return;
                }
                if (!ETags.Matches(ifMatch, existing.ETag))
                {
                    await HubErrors.PreconditionFailedAsync(context, $"configuration {id} has changed since its ETag was read", _timeProvider).ConfigureAwait(false);
                    return;
                }
                if (!JsonNode.DeepEquals(existing.Content, request.Content))
                {
                    await HubErrors.BadRequestAsync(context, $"the content of configuration {id} cannot change: put a new configuration", _timeProvider).ConfigureAwait(false);
                    return;
                }
                request = request with { CreatedTimeUtc = existing.CreatedTimeUtc, Version = existing.Version + 1, LastUpdatedTimeUtc = now };
            }
            else
            {
                if (ifMatch.Length > 0)
                {
                    await NotFoundAsync(context, id).ConfigureAwait(false);
                    return;
                }
                if (_configurations.Count >= MaxConfigurations)
                {
                    await HubErrors.BadRequestAsync(context, $"the emulator keeps at most {MaxConfigurations} configurations", _timeProvider).ConfigureAwait(false);
                    return;
                }
                request = request with { CreatedTimeUtc = now, LastUpdatedTimeUtc = now, Version = 1 };
            }
            _configurations[id] = request;
            await ReconcileLockedAsync(null, context.RequestAborted).ConfigureAwait(false);
            view = View(request);
        }
        finally
        {
            _gate.Release();
        }
        context.Response.Headers.ETag = ETags.Quote(view["etag"]!.GetValue<string>());
        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, view).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context, string id)
    {
        var ifMatch = context.Request.Headers.IfMatch.ToString();
        await _gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            if (!_configurations.TryGetValue(id, out var existing))
            {
                await NotFoundAsync(context, id).ConfigureAwait(false);
                return;
            }
            if (ifMatch.Length > 0 && !ETags.Matches(ifMatch, existing.ETag))
            {
                await HubErrors.PreconditionFailedAsync(context, $"configuration {id} has changed since its ETag was read", _timeProvider).ConfigureAwait(false);
                return;
            }
            _configurations.Remove(id);
            foreach (var device in _appliedByDevice.Where(p => p.Value == id).Select(p => p.Key).ToList())
            {
                _appliedByDevice.Remove(device);
            }
            // the devices it targeted fall to the next configuration that targets them, if any
            await ReconcileLockedAsync(null, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static (EdgeConfiguration? Configuration, string? Error) Parse(string id, JsonObject body)
    {
        if (!HubRegistry.IsValidId(id) || id.Length > 128 || id.Any(char.IsUpper))
        {
            return (null, $"'{id}' is not a valid configuration id (lower-case letters, digits and - : + % _ # * ? ! ( ) , = @ ; $ ', at most 128)");
        }
        if (body["id"] is JsonValue bodyId && bodyId.GetValueKind() == JsonValueKind.String && bodyId.GetValue<string>() != id)
        {
            return (null, "the body's id differs from the one in the path");
        }
        var content = body["content"] as JsonObject;
        var (desiredByModule, contentError) = ModulesContentApplier.Check(content);
        if (desiredByModule is null)
        {
            return (null, "content: " + contentError);
        }
        if (body["targetCondition"] is not JsonValue conditionValue || conditionValue.GetValueKind() != JsonValueKind.String)
        {
            return (null, "targetCondition must be a string such as \"tags.environment='prod'\"");
        }
        var condition = conditionValue.GetValue<string>();
        TwinQuery query;
        try
        {
            query = TwinQuery.Parse(condition.Length == 0 ? "SELECT * FROM devices WHERE false" : "SELECT * FROM devices WHERE " + condition);
        }
        catch (FormatException e)
        {
            return (null, "targetCondition: " + e.Message);
        }
        var priority = 0;
        if (body["priority"] is { } priorityNode && (priorityNode is not JsonValue p || !p.TryGetValue(out priority) || priority < 0))
        {
            return (null, "priority must be a whole number ≥ 0");
        }
        var labels = body["labels"] as JsonObject ?? [];
        return (new EdgeConfiguration(id, (JsonObject)content!.DeepClone(), desiredByModule, condition, query, priority, (JsonObject)labels.DeepClone()), null);
    }

    private JsonObject View(EdgeConfiguration configuration)
    {
        var twins = _twins.AllDeviceTwins(_connections.IsConnected);
        var targeted = twins.Count(t => configuration.Query.Matches(t));
        var applied = _appliedByDevice.Count(p => p.Value == configuration.Id);
        return new JsonObject
        {
            ["id"] = configuration.Id,
            ["schemaVersion"] = "1.0",
            ["labels"] = configuration.Labels.DeepClone(),
            ["content"] = configuration.Content.DeepClone(),
            ["targetCondition"] = configuration.TargetCondition,
            ["createdTimeUtc"] = configuration.CreatedTimeUtc.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            ["lastUpdatedTimeUtc"] = configuration.LastUpdatedTimeUtc.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            ["priority"] = configuration.Priority,
            ["systemMetrics"] = new JsonObject
            {
                ["results"] = new JsonObject { ["targetedCount"] = targeted, ["appliedCount"] = applied },
                ["queries"] = new JsonObject(),
            },
            ["metrics"] = new JsonObject { ["results"] = new JsonObject(), ["queries"] = new JsonObject() },
            ["etag"] = configuration.ETag,
        };
    }

    private Task NotFoundAsync(HttpContext context, string id) =>
        HubErrors.WriteAsync(context, StatusCodes.Status404NotFound, "ConfigurationNotFound", $"configuration {id} does not exist", _timeProvider);
}
