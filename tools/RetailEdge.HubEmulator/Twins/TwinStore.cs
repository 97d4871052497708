using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using RetailEdge.Contracts.Twin;
using RetailEdge.HubEmulator.Registry;

namespace RetailEdge.HubEmulator.Twins;

/// <summary>
/// Device and module twins of the registry's identities, in memory. Each twin has a
/// version (every change) exposed as its ETag, and a "$version" per section: desired
/// (changed by the service) and reported (changed by the device). A desired change raises
/// <see cref="DesiredPatched"/> with the patch and its "$version", in version order: the
/// handler runs under the twin's lock and must only enqueue.
/// </summary>
public sealed class TwinStore
{
    private readonly HubRegistry _registry;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<IdentityKey, TwinState> _twins = [];
    private readonly Lock _gate = new();

    public TwinStore(HubRegistry registry, TimeProvider timeProvider)
    {
        _registry = registry;
        _timeProvider = timeProvider;
    }

    /// <summary>Raised for every desired change, in version order per twin.</summary>
    public event Action<DesiredPatch>? DesiredPatched;

    /// <summary>The device-side view: {"desired":{…,"$version":n},"reported":{…,"$version":n}}.</summary>
    public JsonObject? GetDeviceView(IdentityKey identity)
    {
        lock (_gate)
        {
            var twin = Find(identity);
            if (twin is null)
            {
                return null;
            }
            return new JsonObject
            {
                ["desired"] = WithVersion(twin.Desired, twin.DesiredVersion),
                ["reported"] = WithVersion(twin.Reported, twin.ReportedVersion),
            };
        }
    }

    /// <summary>The desired section and its version, for the version rule after a reconnect.</summary>
    public long? DesiredVersionOf(IdentityKey identity)
    {
        lock (_gate)
        {
            return Find(identity)?.DesiredVersion;
        }
    }

    /// <summary>The service-side twin document (as GET /twins/… returns it).</summary>
    public JsonObject? GetServiceView(IdentityKey identity, bool connected)
    {
        lock (_gate)
        {
            var twin = Find(identity);
            return twin is null ? null : ServiceView(identity, twin, connected);
        }
    }

    /// <summary>Every module twin (service view), ordered by device id then module id.</summary>
    public IReadOnlyList<JsonObject> AllModuleTwins(Func<IdentityKey, bool> isConnected)
    {
        var list = new List<JsonObject>();
        lock (_gate)
        {
            foreach (var identity in _registry.AllModules().OrderBy(i => i.DeviceId, StringComparer.Ordinal).ThenBy(i => i.ModuleId, StringComparer.Ordinal))
            {
                var twin = Find(identity)!;
                list.Add(ServiceView(identity, twin, isConnected(identity)));
            }
        }
        return list;
    }

    /// <summary>Every device twin (service view), ordered by device id.</summary>
    public IReadOnlyList<JsonObject> AllDeviceTwins(Func<IdentityKey, bool> isConnected)
    {
        var list = new List<JsonObject>();
        lock (_gate)
        {
            foreach (var device in _registry.Devices.OrderBy(d => d.DeviceId, StringComparer.Ordinal))
            {
                var identity = new IdentityKey(device.DeviceId, null);
                list.Add(ServiceView(identity, Find(identity)!, isConnected(identity)));
            }
        }
        return list;
    }

    /// <summary>A reported patch from the device (null deletes); returns the new reported "$version".</summary>
    public TwinUpdateResult PatchReported(IdentityKey identity, JsonObject patch)
    {
        var error = TwinRules.Validate(patch, allowNulls: true);
        if (error is not null)
        {
            return TwinUpdateResult.Fail(TwinUpdateStatus.Invalid, error);
        }
        lock (_gate)
        {
            var twin = Find(identity);
            if (twin is null)
            {
                return TwinUpdateResult.Fail(TwinUpdateStatus.NotFound, $"identity {identity} is not registered");
            }
            var merged = (JsonObject)twin.Reported.DeepClone();
            TwinRules.Merge(merged, patch);
            if (TwinRules.SizeOf(merged) > TwinRules.MaxSectionBytes)
            {
                return TwinUpdateResult.Fail(TwinUpdateStatus.Invalid, $"reported properties would exceed {TwinRules.MaxSectionBytes} bytes");
            }
            twin.Reported = merged;
            twin.ReportedVersion++;
            // the twin's version (and ETag) counts every change of the twin, reported ones too
            twin.Version++;
            Touch(twin);
            return new TwinUpdateResult(TwinUpdateStatus.Ok, twin.ReportedVersion, null, null);
        }
    }

    /// <summary>
    /// A service update: PATCH merges tags and desired properties, PUT replaces them. The
    /// If-Match value must be "*", absent, or the twin's current ETag (412 otherwise).
    /// </summary>
    public TwinUpdateResult UpdateFromService(IdentityKey identity, JsonObject body, string? ifMatch, bool replace, bool connected)
    {
        JsonObject? desired = null;
        JsonObject? tags = null;
        if (body["properties"] is JsonNode properties)
        {
            if (properties is not JsonObject propertiesObject)
            {
                return TwinUpdateResult.Fail(TwinUpdateStatus.Invalid, "'properties' must be an object");
            }
            if (propertiesObject.ContainsKey("reported"))
            {
                return TwinUpdateResult.Fail(TwinUpdateStatus.Invalid, "reported properties can only be changed by the device");
            }
            if (propertiesObject["desired"] is JsonNode desiredNode)
            {
                desired = desiredNode as JsonObject;
                if (desired is null)
                {
                    return TwinUpdateResult.Fail(TwinUpdateStatus.Invalid, "'properties.desired' must be an object");
                }
                desired = StripMetadata(desired);
            }
        }
        if (body["tags"] is JsonNode tagsNode)
        {
            tags = tagsNode as JsonObject;
            if (tags is null)
            {
                return TwinUpdateResult.Fail(TwinUpdateStatus.Invalid, "'tags' must be an object");
            }
        }
        var error = (desired is null ? null : TwinRules.Validate(desired, allowNulls: !replace))
            ?? (tags is null ? null : TwinRules.Validate(tags, allowNulls: !replace));
        if (error is not null)
        {
            return TwinUpdateResult.Fail(TwinUpdateStatus.Invalid, error);
        }
        lock (_gate)
        {
            var twin = Find(identity);
            if (twin is null)
            {
                return TwinUpdateResult.Fail(TwinUpdateStatus.NotFound, $"identity {identity} is not registered");
            }
            if (!ETags.Matches(ifMatch, ETagOf(twin.Version)))
            {
                return TwinUpdateResult.Fail(TwinUpdateStatus.PreconditionFailed, "the twin's ETag does not match If-Match: read it again and retry");
            }
            var newDesired = twin.Desired;
            if (desired is not null || replace)
            {
                newDesired = replace ? (JsonObject)(desired ?? []).DeepClone() : (JsonObject)twin.Desired.DeepClone();
                if (!replace)
                {
                    TwinRules.Merge(newDesired, desired!);
                }
                if (TwinRules.SizeOf(newDesired) > TwinRules.MaxSectionBytes)
                {
                    return TwinUpdateResult.Fail(TwinUpdateStatus.Invalid, $"desired properties would exceed {TwinRules.MaxSectionBytes} bytes");
                }
            }
            var newTags = twin.Tags;
            if (tags is not null || replace)
            {
                newTags = replace ? (JsonObject)(tags ?? []).DeepClone() : (JsonObject)twin.Tags.DeepClone();
                if (!replace)
                {
                    TwinRules.Merge(newTags, tags!);
                }
                if (TwinRules.SizeOf(newTags) > TwinRules.MaxTagsBytes)
                {
                    return TwinUpdateResult.Fail(TwinUpdateStatus.Invalid, $"tags would exceed {TwinRules.MaxTagsBytes} bytes");
                }
            }
            // PATCH forwards the patch as sent (IoT Hub bumps $version on every desired patch);
            // PUT forwards the difference, with null for every removed property
            var desiredPatch = replace ? TwinRules.Diff(twin.Desired, newDesired) : (JsonObject?)desired?.DeepClone() ?? [];
            twin.Tags = newTags;
            if (desiredPatch.Count > 0)
            {
                twin.Desired = newDesired;
                twin.DesiredVersion++;
                desiredPatch["$version"] = twin.DesiredVersion;
                DesiredPatched?.Invoke(new DesiredPatch(identity, twin.DesiredVersion, desiredPatch));
            }
            twin.Version++;
            Touch(twin);
            return new TwinUpdateResult(TwinUpdateStatus.Ok, twin.DesiredVersion, ServiceView(identity, twin, connected), null);
        }
    }

    /// <summary>
    /// Drops the twin of a deleted identity (a device's twin drops its modules' twins too), so an
    /// identity created again under the same id starts with a new, empty twin.
    /// </summary>
    public void Forget(IdentityKey identity)
    {
        lock (_gate)
        {
            foreach (var key in _twins.Keys.Where(k => k == identity || (identity.ModuleId is null && k.DeviceId == identity.DeviceId)).ToList())
            {
                _twins.Remove(key);
            }
        }
    }

    /// <summary>The quoted ETag of a twin version, as in the ETag and If-Match headers.</summary>
    public static string ETagOf(long version)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, version);
        return Convert.ToBase64String(bytes);
    }

    private static JsonObject StripMetadata(JsonObject section)
    {
        // clients echo what they read: "$version" and "$metadata" are the hub's, not theirs
        var copy = (JsonObject)section.DeepClone();
        copy.Remove("$version");
        copy.Remove("$metadata");
        return copy;
    }

    private TwinState? Find(IdentityKey identity)
    {
        if (_twins.TryGetValue(identity, out var twin))
        {
            return twin;
        }
        if (_registry.KeyOf(identity) is null)
        {
            return null;
        }
        twin = new TwinState { LastUpdated = _timeProvider.GetUtcNow() };
        _twins[identity] = twin;
        return twin;
    }

    private void Touch(TwinState twin) => twin.LastUpdated = _timeProvider.GetUtcNow();

    private static JsonObject WithVersion(JsonObject section, long version)
    {
        var copy = (JsonObject)section.DeepClone();
        copy["$version"] = version;
        return copy;
    }

    private JsonObject ServiceView(IdentityKey identity, TwinState twin, bool connected)
    {
        var lastUpdated = twin.LastUpdated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        var desired = WithVersion(twin.Desired, twin.DesiredVersion);
        desired["$metadata"] = new JsonObject { ["$lastUpdated"] = lastUpdated };
        var reported = WithVersion(twin.Reported, twin.ReportedVersion);
        reported["$metadata"] = new JsonObject { ["$lastUpdated"] = lastUpdated };
        var view = new JsonObject
        {
            ["deviceId"] = identity.DeviceId,
        };
        if (identity.ModuleId is not null)
        {
            view["moduleId"] = identity.ModuleId;
        }
        view["etag"] = ETagOf(twin.Version);
        view["deviceEtag"] = (identity.ModuleId is null
            ? _registry.FindDevice(identity.DeviceId)?.ETag
            : _registry.FindModule(identity.DeviceId, identity.ModuleId)?.ETag) ?? ETagOf(twin.Version);
        view["status"] = _registry.FindDevice(identity.DeviceId)?.Status ?? IdentitySettings.Enabled;
        view["connectionState"] = connected ? "Connected" : "Disconnected";
        view["lastActivityTime"] = lastUpdated;
        view["authenticationType"] = "sas";
        view["version"] = twin.Version;
        view["tags"] = twin.Tags.DeepClone();
        view["properties"] = new JsonObject { ["desired"] = desired, ["reported"] = reported };
        return view;
    }

    private sealed class TwinState
    {
        public JsonObject Desired { get; set; } = [];

        public JsonObject Reported { get; set; } = [];

        public JsonObject Tags { get; set; } = [];

        public long DesiredVersion { get; set; } = 1;

        public long ReportedVersion { get; set; } = 1;

        public long Version { get; set; } = 1;

        public DateTimeOffset LastUpdated { get; set; }
    }
}
