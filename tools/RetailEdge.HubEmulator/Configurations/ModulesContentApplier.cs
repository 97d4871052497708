using System.Text.Json.Nodes;
using RetailEdge.Contracts.Twin;
using RetailEdge.HubEmulator.Devices;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Twins;

namespace RetailEdge.HubEmulator.Configurations;

/// <summary>
/// Applies an IoT Edge deployment's modulesContent to one device, for applyConfigurationContent and for
/// configurations alike: every module named in it, $edgeAgent and $edgeHub included, gets its
/// "properties.desired" as its desired properties (replaced, as a deployment does). Module identities
/// that do not exist yet are created first, as the device's edge agent would; the whole content is
/// checked (<see cref="Check"/>) before any twin changes.
/// </summary>
internal sealed class ModulesContentApplier
{
    private readonly HubRegistry _registry;
    private readonly TwinStore _twins;
    private readonly ConnectionRegistry _connections;

    public ModulesContentApplier(HubRegistry registry, TwinStore twins, ConnectionRegistry connections)
    {
        _registry = registry;
        _twins = twins;
        _connections = connections;
    }

    /// <summary>module id → desired properties of a <c>{"modulesContent":{…}}</c>, or why it is refused.</summary>
    public static (Dictionary<string, JsonObject>? DesiredByModule, string? Error) Check(JsonObject? content)
    {
        if (content?["modulesContent"] is not JsonObject modules)
        {
            return (null, "the content must be {\"modulesContent\":{…}}");
        }
        var desiredByModule = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (moduleId, moduleContent) in modules)
        {
            if (moduleContent is not JsonObject moduleObject || moduleObject["properties.desired"] is not JsonObject desired)
            {
                return (null, $"modulesContent.{moduleId} must be {{\"properties.desired\":{{…}}}}");
            }
            var invalid = HubRegistry.IsValidId(moduleId) ? TwinRules.Validate(desired, allowNulls: false) : $"'{moduleId}' is not a valid module id";
            if (invalid is null && TwinRules.SizeOf(desired) > TwinRules.MaxSectionBytes)
            {
                invalid = $"desired properties are larger than {TwinRules.MaxSectionBytes} bytes";
            }
            if (invalid is not null)
            {
                return (null, $"modulesContent.{moduleId}: {invalid}");
            }
            desiredByModule[moduleId] = desired;
        }
        return (desiredByModule, null);
    }

    /// <summary>Creates the missing module identities, then replaces each module's desired properties; a failure of the registry is returned, not thrown.</summary>
    public async Task<RegistryResult<DeviceIdentity>?> ApplyAsync(string deviceId, IReadOnlyDictionary<string, JsonObject> desiredByModule, CancellationToken cancellationToken)
    {
        var ensured = await _registry.EnsureModulesAsync(deviceId, [.. desiredByModule.Keys], cancellationToken).ConfigureAwait(false);
        if (!ensured.Succeeded)
        {
            return ensured;
        }
        foreach (var (moduleId, desired) in desiredByModule)
        {
            var identity = new IdentityKey(deviceId, moduleId);
            var result = _twins.UpdateFromService(identity, new JsonObject { ["properties"] = new JsonObject { ["desired"] = desired.DeepClone() } }, "*", replace: true, _connections.IsConnected(identity));
            if (result.Status != TwinUpdateStatus.Ok)
            {
                // checked before: a module twin that refuses its content now is a defect of the emulator
                throw new InvalidOperationException($"module {moduleId}: {result.Error}");
            }
        }
        return null;
    }
}
