using System.Security.Cryptography;
using System.Text.Json;

namespace RetailEdge.HubEmulator.Registry;

/// <summary>
/// The identity registry kept in a JSON file: devices and modules with symmetric keys, and the
/// service policy. Keys come from <see cref="RandomNumberGenerator"/>; the file is replaced
/// atomically (temp file + rename) and made readable by its owner only (0600) where the OS allows.
/// Thread-safe: readers see an immutable snapshot; writers are serialised.
/// </summary>
public sealed class HubRegistry
{
    /// <summary>IoT Hub's limit on device and module id length.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The modules IoT Hub creates for an IoT Edge device.</summary>
    public static readonly IReadOnlyList<string> EdgeRuntimeModules = ["$edgeAgent", "$edgeHub"];

    private const string EdgeManager = "iotEdge";
    private const int KeyBytes = 32;
    private readonly string _path;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly TimeProvider _timeProvider;
    private volatile RegistryDocument _document;

    private HubRegistry(string path, RegistryDocument document, TimeProvider timeProvider)
    {
        _path = path;
        _document = document;
        _timeProvider = timeProvider;
    }

    public string Path => _path;

    public string HubName => _document.HubName;

    /// <summary>The host name used as SAS audience and in connection strings: "{hub}.azure-devices.net".</summary>
    public string HostName => DefaultHostName(_document.HubName);

    public SharedAccessPolicy ServicePolicy => _document.ServicePolicy;

    public IReadOnlyList<DeviceIdentity> Devices => _document.Devices;

    /// <summary>The built-in endpoint's consumer group every hub has.</summary>
    public const string DefaultConsumerGroup = "$Default";

    /// <summary>Event Hubs' limit on consumer group names.</summary>
    public const int MaxConsumerGroupLength = 50;

    /// <summary>The built-in endpoint's consumer groups: $Default and those created in the registry file or by REST.</summary>
    public IReadOnlyList<string> ConsumerGroups => [DefaultConsumerGroup, .. _document.ConsumerGroups];

    /// <summary>True when the consumer group exists (names compare without case, as Event Hubs does).</summary>
    public bool HasConsumerGroup(string name) =>
        string.Equals(name, DefaultConsumerGroup, StringComparison.OrdinalIgnoreCase)
        || _document.ConsumerGroups.Exists(g => string.Equals(g, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Creates a consumer group (an existing one is kept as it is).</summary>
    public Task<RegistryResult<string>> AddConsumerGroupAsync(string name, CancellationToken cancellationToken = default) =>
        ChangeAsync(document =>
        {
            if (CheckConsumerGroup(name) is { } invalid)
            {
                return RegistryResult<string>.Fail(RegistryStatus.Invalid, invalid);
            }
            if (HasConsumerGroup(name))
            {
                return new RegistryResult<string>(RegistryStatus.Updated, name, null);
            }
            document.ConsumerGroups.Add(name);
            return new RegistryResult<string>(RegistryStatus.Created, name, null);
        }, cancellationToken);

    /// <summary>Deletes a consumer group; $Default cannot be deleted.</summary>
    public Task<RegistryResult<string>> DeleteConsumerGroupAsync(string name, CancellationToken cancellationToken = default) =>
        ChangeAsync(document =>
        {
            if (string.Equals(name, DefaultConsumerGroup, StringComparison.OrdinalIgnoreCase))
            {
                return RegistryResult<string>.Fail(RegistryStatus.Invalid, "the $Default consumer group cannot be deleted");
            }
            return document.ConsumerGroups.RemoveAll(g => string.Equals(g, name, StringComparison.OrdinalIgnoreCase)) > 0
                ? new RegistryResult<string>(RegistryStatus.Deleted, name, null)
                : RegistryResult<string>.Fail(RegistryStatus.ConsumerGroupNotFound, $"consumer group '{name}' does not exist");
        }, cancellationToken);

    /// <summary>Consumer group names: 1–50 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
    public static string? CheckConsumerGroup(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxConsumerGroupLength && char.IsAsciiLetterOrDigit(name[0])
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            ? null
            : $"a consumer group name is 1–{MaxConsumerGroupLength} ASCII letters, digits, '.', '_' or '-', starting with a letter or digit";

    public static string DefaultHostName(string hubName) => hubName + ".azure-devices.net";

    /// <summary>
    /// Opens the registry file, creating it (with a new service key) when it does not exist.
    /// Fails when the file belongs to another hub name.
    /// </summary>
    public static async Task<HubRegistry> OpenOrCreateAsync(string path, string hubName, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ValidateHubName(hubName);
        timeProvider ??= TimeProvider.System;
        var fullPath = System.IO.Path.GetFullPath(path);
        if (File.Exists(fullPath))
        {
            var registry = await OpenAsync(fullPath, timeProvider, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(registry.HubName, hubName, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"registry file {fullPath} belongs to hub '{registry.HubName}', not '{hubName}': use --hub-name {registry.HubName} or another file.");
            }
            return registry;
        }
        var document = new RegistryDocument
        {
            HubName = hubName,
            ServicePolicy = new SharedAccessPolicy { Name = "service", PrimaryKey = NewKey() },
        };
        var created = new HubRegistry(fullPath, document, timeProvider);
        await created.SaveAsync(document, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>Opens an existing registry file; fails with a message naming the file when it is unreadable.</summary>
    public static async Task<HubRegistry> OpenAsync(string path, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        RegistryDocument? document;
        try
        {
            await using var stream = File.OpenRead(fullPath);
            document = await JsonSerializer.DeserializeAsync(stream, RegistryJsonContext.Default.RegistryDocument, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"registry file {fullPath} is not valid JSON: {ex.Message}", ex);
        }
        if (document is null)
        {
            throw new InvalidOperationException($"registry file {fullPath} is empty.");
        }
        Validate(document, fullPath);
        var registry = new HubRegistry(fullPath, document, timeProvider ?? TimeProvider.System);
        if (CompleteMissing(document))
        {
            // a file from an older emulator: its new secondary keys and ETags are kept from now on
            await registry.SaveAsync(document, cancellationToken).ConfigureAwait(false);
        }
        return registry;
    }

    private static bool CompleteMissing(RegistryDocument document)
    {
        var changed = false;
        foreach (var device in document.Devices)
        {
            changed |= Complete(device.SecondaryKey, v => device.SecondaryKey = v, NewKey) | Complete(device.ETag, v => device.ETag = v, NewETag);
            foreach (var module in device.Modules)
            {
                changed |= Complete(module.SecondaryKey, v => module.SecondaryKey = v, NewKey) | Complete(module.ETag, v => module.ETag = v, NewETag);
            }
        }
        return changed;

        static bool Complete(string value, Action<string> set, Func<string> make)
        {
            if (!string.IsNullOrEmpty(value))
            {
                return false;
            }
            set(make());
            return true;
        }
    }

    /// <summary>Adds a module (and its device when new); returns the existing module when present.</summary>
    public async Task<ModuleIdentity> AddModuleAsync(string deviceId, string moduleId, CancellationToken cancellationToken = default)
    {
        ValidateId(deviceId, "deviceId");
        ValidateId(moduleId, "moduleId");
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = FindModule(deviceId, moduleId);
            if (existing is not null)
            {
                return existing;
            }
            var copy = Clone(_document);
            var device = copy.Devices.FirstOrDefault(d => d.DeviceId == deviceId);
            if (device is null)
            {
                device = NewDevice(deviceId);
                copy.Devices.Add(device);
            }
            var module = NewModule(moduleId);
            device.Modules.Add(module);
            await SaveAsync(copy, cancellationToken).ConfigureAwait(false);
            _document = copy;
            return module;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Adds a device identity; returns the existing one when present.</summary>
    public async Task<DeviceIdentity> AddDeviceAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        ValidateId(deviceId, "deviceId");
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = FindDevice(deviceId);
            if (existing is not null)
            {
                return existing;
            }
            var copy = Clone(_document);
            var device = NewDevice(deviceId);
            copy.Devices.Add(device);
            await SaveAsync(copy, cancellationToken).ConfigureAwait(false);
            _document = copy;
            return device;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Device counts, as GET /statistics/devices answers.</summary>
    public RegistryStatistics Statistics()
    {
        var devices = _document.Devices;
        var enabled = devices.Count(d => d.Status == IdentitySettings.Enabled);
        return new RegistryStatistics(devices.Count, enabled, devices.Count - enabled);
    }

    /// <summary>
    /// Creates (no If-Match) or updates (If-Match: the ETag or "*") a device. Creating an existing
    /// device fails with <see cref="RegistryStatus.DeviceAlreadyExists"/>, updating a missing one
    /// with <see cref="RegistryStatus.DeviceNotFound"/>. Keys not given are generated for a new
    /// device and kept for an existing one; an IoT Edge device gets its $edgeAgent and $edgeHub modules.
    /// </summary>
    public Task<RegistryResult<DeviceIdentity>> PutDeviceAsync(string deviceId, IdentitySettings settings, string? ifMatch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var error = CheckId(deviceId, "deviceId") ?? CheckSettings(settings);
        if (error is not null)
        {
            return Task.FromResult(RegistryResult<DeviceIdentity>.Fail(RegistryStatus.Invalid, error));
        }
        return ChangeAsync(copy =>
        {
            var device = copy.Devices.FirstOrDefault(d => d.DeviceId == deviceId);
            if (RefusePut<DeviceIdentity>($"device {deviceId}", device?.ETag, ifMatch, RegistryStatus.DeviceNotFound, RegistryStatus.DeviceAlreadyExists) is { } refused)
            {
                return refused;
            }
            var created = device is null;
            if (device is null)
            {
                device = NewDevice(deviceId);
                copy.Devices.Add(device);
            }
            device.PrimaryKey = Given(settings.PrimaryKey) ?? device.PrimaryKey;
            device.SecondaryKey = Given(settings.SecondaryKey) ?? device.SecondaryKey;
            device.Status = settings.Status ?? device.Status;
            device.IotEdge = settings.IotEdge ?? device.IotEdge;
            device.ETag = NewETag();
            if (device.IotEdge)
            {
                AddEdgeRuntimeModules(device);
            }
            return new RegistryResult<DeviceIdentity>(created ? RegistryStatus.Created : RegistryStatus.Updated, device, null);
        }, cancellationToken);
    }

    /// <summary>Deletes a device and its modules (If-Match: the ETag, "*" or absent).</summary>
    public Task<RegistryResult<DeviceIdentity>> DeleteDeviceAsync(string deviceId, string? ifMatch, CancellationToken cancellationToken = default) =>
        ChangeAsync(copy =>
        {
            var device = copy.Devices.FirstOrDefault(d => d.DeviceId == deviceId);
            if (RefuseDelete<DeviceIdentity>($"device {deviceId}", device?.ETag, ifMatch, RegistryStatus.DeviceNotFound) is { } refused)
            {
                return refused;
            }
            copy.Devices.Remove(device!);
            return new RegistryResult<DeviceIdentity>(RegistryStatus.Deleted, device, null);
        }, cancellationToken);

    /// <summary>Creates or updates a module of an existing device, with the rules of <see cref="PutDeviceAsync"/>.</summary>
    public Task<RegistryResult<ModuleIdentity>> PutModuleAsync(string deviceId, string moduleId, IdentitySettings settings, string? ifMatch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var error = CheckId(deviceId, "deviceId") ?? CheckId(moduleId, "moduleId") ?? CheckSettings(settings);
        if (error is not null)
        {
            return Task.FromResult(RegistryResult<ModuleIdentity>.Fail(RegistryStatus.Invalid, error));
        }
        return ChangeAsync(copy =>
        {
            var device = copy.Devices.FirstOrDefault(d => d.DeviceId == deviceId);
            if (device is null)
            {
                return RegistryResult<ModuleIdentity>.Fail(RegistryStatus.DeviceNotFound, $"device {deviceId} is not registered: create the device first");
            }
            var module = device.Modules.FirstOrDefault(m => m.ModuleId == moduleId);
            if (RefusePut<ModuleIdentity>($"module {deviceId}/{moduleId}", module?.ETag, ifMatch, RegistryStatus.ModuleNotFound, RegistryStatus.ModuleAlreadyExists) is { } refused)
            {
                return refused;
            }
            var created = module is null;
            if (module is null)
            {
                module = NewModule(moduleId);
                device.Modules.Add(module);
            }
            module.PrimaryKey = Given(settings.PrimaryKey) ?? module.PrimaryKey;
            module.SecondaryKey = Given(settings.SecondaryKey) ?? module.SecondaryKey;
            module.ETag = NewETag();
            return new RegistryResult<ModuleIdentity>(created ? RegistryStatus.Created : RegistryStatus.Updated, module, null);
        }, cancellationToken);
    }

    /// <summary>Deletes a module (If-Match: the ETag, "*" or absent).</summary>
    public Task<RegistryResult<ModuleIdentity>> DeleteModuleAsync(string deviceId, string moduleId, string? ifMatch, CancellationToken cancellationToken = default) =>
        ChangeAsync(copy =>
        {
            var device = copy.Devices.FirstOrDefault(d => d.DeviceId == deviceId);
            if (device is null)
            {
                return RegistryResult<ModuleIdentity>.Fail(RegistryStatus.DeviceNotFound, $"device {deviceId} is not registered");
            }
            var module = device.Modules.FirstOrDefault(m => m.ModuleId == moduleId);
            if (RefuseDelete<ModuleIdentity>($"module {deviceId}/{moduleId}", module?.ETag, ifMatch, RegistryStatus.ModuleNotFound) is { } refused)
            {
                return refused;
            }
            device.Modules.Remove(module!);
            return new RegistryResult<ModuleIdentity>(RegistryStatus.Deleted, module, null);
        }, cancellationToken);

    /// <summary>
    /// Makes sure the named modules of a device exist (as an IoT Edge agent creates the identities
    /// of a deployment's modules), generating their keys; saves once when any was added.
    /// </summary>
    public Task<RegistryResult<DeviceIdentity>> EnsureModulesAsync(string deviceId, IReadOnlyCollection<string> moduleIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(moduleIds);
        var error = moduleIds.Select(m => CheckId(m, "moduleId")).FirstOrDefault(e => e is not null);
        if (error is not null)
        {
            return Task.FromResult(RegistryResult<DeviceIdentity>.Fail(RegistryStatus.Invalid, error));
        }
        return ChangeAsync(copy =>
        {
            var device = copy.Devices.FirstOrDefault(d => d.DeviceId == deviceId);
            if (device is null)
            {
                return RegistryResult<DeviceIdentity>.Fail(RegistryStatus.DeviceNotFound, $"device {deviceId} is not registered");
            }
            foreach (var moduleId in moduleIds.Where(m => device.Modules.All(existing => existing.ModuleId != m)))
            {
                var module = NewModule(moduleId);
                module.ManagedBy = EdgeManager;
                device.Modules.Add(module);
            }
            return new RegistryResult<DeviceIdentity>(RegistryStatus.Updated, device, null);
        }, cancellationToken);
    }

    public DeviceIdentity? FindDevice(string deviceId) =>
        _document.Devices.FirstOrDefault(d => d.DeviceId == deviceId);

    public ModuleIdentity? FindModule(string deviceId, string moduleId) =>
        FindDevice(deviceId)?.Modules.FirstOrDefault(m => m.ModuleId == moduleId);

    /// <summary>Every module identity, ordered by device then module id.</summary>
    public IEnumerable<IdentityKey> AllModules() =>
        _document.Devices.SelectMany(d => d.Modules.Select(m => new IdentityKey(d.DeviceId, m.ModuleId)));

    /// <summary>The symmetric key of an identity, or null when unknown.</summary>
    public string? KeyOf(IdentityKey identity) => identity.ModuleId is null
        ? FindDevice(identity.DeviceId)?.PrimaryKey
        : FindModule(identity.DeviceId, identity.ModuleId)?.PrimaryKey;

    /// <summary>The generation id of an identity, or null when unknown.</summary>
    public string? GenerationIdOf(IdentityKey identity) => identity.ModuleId is null
        ? FindDevice(identity.DeviceId)?.GenerationId
        : FindModule(identity.DeviceId, identity.ModuleId)?.GenerationId;

    /// <summary>The module connection string (contains the module key: print it, never log it).</summary>
    public string ModuleConnectionString(string deviceId, string moduleId)
    {
        var module = FindModule(deviceId, moduleId) ?? throw new KeyNotFoundException($"module {deviceId}/{moduleId} is not in the registry");
        return $"HostName={HostName};DeviceId={deviceId};ModuleId={moduleId};SharedAccessKey={module.PrimaryKey}";
    }

    /// <summary>The device connection string (contains the device key).</summary>
    public string DeviceConnectionString(string deviceId)
    {
        var device = FindDevice(deviceId) ?? throw new KeyNotFoundException($"device {deviceId} is not in the registry");
        return $"HostName={HostName};DeviceId={deviceId};SharedAccessKey={device.PrimaryKey}";
    }

    /// <summary>The service-policy connection string (contains the policy key).</summary>
    public string ServiceConnectionString() =>
        $"HostName={HostName};SharedAccessKeyName={ServicePolicy.Name};SharedAccessKey={ServicePolicy.PrimaryKey}";

    /// <summary>Device and module ids: 1–128 ASCII letters, digits and IoT Hub's allowed punctuation.</summary>
    public static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "-.+%_#*?!(),:=@$'".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }
        return true;
    }

    private static void ValidateId(string id, string what)
    {
        if (!IsValidId(id))
        {
            throw new ArgumentException($"{what} '{id}' is not a valid IoT Hub id (1–{MaxIdLength} ASCII letters, digits or -.+%_#*?!(),:=@$').", what);
        }
    }

    private static void ValidateHubName(string hubName)
    {
        if (string.IsNullOrEmpty(hubName) || hubName.Length > 50 || !hubName.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"hub name '{hubName}' must be 1–50 ASCII letters, digits or '-'.", nameof(hubName));
        }
    }

    private static void Validate(RegistryDocument document, string path)
    {
        try
        {
            ValidateHubName(document.HubName);
            RequireKey(document.ServicePolicy.PrimaryKey, "servicePolicy.primaryKey");
            foreach (var group in document.ConsumerGroups)
            {
                if (CheckConsumerGroup(group) is { } invalid)
                {
                    throw new ArgumentException($"consumerGroups: '{group}': {invalid}.");
                }
            }
            foreach (var device in document.Devices)
            {
                ValidateId(device.DeviceId, "deviceId");
                RequireKey(device.PrimaryKey, $"devices[{device.DeviceId}].primaryKey");
                RequireOptionalKey(device.SecondaryKey, $"devices[{device.DeviceId}].secondaryKey");
                if (device.Status is not (IdentitySettings.Enabled or IdentitySettings.Disabled))
                {
                    throw new ArgumentException($"devices[{device.DeviceId}].status must be 'enabled' or 'disabled'.");
                }
                foreach (var module in device.Modules)
                {
                    ValidateId(module.ModuleId, "moduleId");
                    RequireKey(module.PrimaryKey, $"devices[{device.DeviceId}].modules[{module.ModuleId}].primaryKey");
                    RequireOptionalKey(module.SecondaryKey, $"devices[{device.DeviceId}].modules[{module.ModuleId}].secondaryKey");
                }
            }
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"registry file {path} is invalid: {ex.Message}", ex);
        }
    }

    private static void RequireOptionalKey(string key, string what)
    {
        if (!string.IsNullOrEmpty(key))
        {
            RequireKey(key, what);
        }
    }

    private static void RequireKey(string key, string what)
    {
        if (string.IsNullOrEmpty(key) || !IsValidKey(key))
        {
            throw new ArgumentException($"{what} must be a base64 key of 16–64 bytes.");
        }
    }

    private DeviceIdentity NewDevice(string deviceId) =>
        new() { DeviceId = deviceId, PrimaryKey = NewKey(), SecondaryKey = NewKey(), GenerationId = NewGenerationId(), ETag = NewETag() };

    private ModuleIdentity NewModule(string moduleId) =>
        new() { ModuleId = moduleId, PrimaryKey = NewKey(), SecondaryKey = NewKey(), GenerationId = NewGenerationId(), ETag = NewETag() };

    private void AddEdgeRuntimeModules(DeviceIdentity device)
    {
        foreach (var moduleId in EdgeRuntimeModules.Where(m => device.Modules.All(existing => existing.ModuleId != m)))
        {
            var module = NewModule(moduleId);
            module.ManagedBy = EdgeManager;
            device.Modules.Add(module);
        }
    }

    /// <summary>
    /// Applies a change to a copy of the document under the write lock and saves it when the
    /// change succeeds; readers keep seeing the old snapshot until the file is replaced.
    /// </summary>
    private async Task<RegistryResult<T>> ChangeAsync<T>(Func<RegistryDocument, RegistryResult<T>> change, CancellationToken cancellationToken)
        where T : class
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var copy = Clone(_document);
            var result = change(copy);
            if (result.Succeeded)
            {
                await SaveAsync(copy, cancellationToken).ConfigureAwait(false);
                _document = copy;
            }
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// IoT Hub's PUT rule: without If-Match a PUT creates (the identity must not exist yet); with
    /// If-Match it updates an existing identity whose ETag matches. Null when the PUT may proceed.
    /// </summary>
    private static RegistryResult<T>? RefusePut<T>(string what, string? currentETag, string? ifMatch, RegistryStatus notFound, RegistryStatus alreadyExists)
        where T : class
    {
        var update = !string.IsNullOrWhiteSpace(ifMatch);
        if (currentETag is null)
        {
            return update ? RegistryResult<T>.Fail(notFound, $"{what} is not registered: create it without If-Match") : null;
        }
        if (!update)
        {
            return RegistryResult<T>.Fail(alreadyExists, $"{what} already exists: update it with If-Match");
        }
        return RefuseDelete<T>(what, currentETag, ifMatch, notFound);
    }

    /// <summary>A DELETE (or update) needs the identity and, when If-Match names an ETag, that ETag. Null when it may proceed.</summary>
    private static RegistryResult<T>? RefuseDelete<T>(string what, string? currentETag, string? ifMatch, RegistryStatus notFound)
        where T : class
    {
        if (currentETag is null)
        {
            return RegistryResult<T>.Fail(notFound, $"{what} is not registered");
        }
        return ETags.Matches(ifMatch, currentETag) ? null : RegistryResult<T>.Fail(RegistryStatus.PreconditionFailed, $"the ETag of {what} does not match If-Match: read it again and retry");
    }

    private static string? Given(string? key) => string.IsNullOrEmpty(key) ? null : key;

    private static string? CheckId(string id, string what) => IsValidId(id)
        ? null
        : $"{what} '{(id is { Length: > 64 } ? id[..64] + "…" : id)}' is not a valid IoT Hub id (1–{MaxIdLength} ASCII letters, digits or -.+%_#*?!(),:=@$').";

    private static string? CheckSettings(IdentitySettings settings)
    {
        if (settings.Status is not (null or IdentitySettings.Enabled or IdentitySettings.Disabled))
        {
            return "status must be 'enabled' or 'disabled'";
        }
        foreach (var (key, what) in new[] { (settings.PrimaryKey, "primaryKey"), (settings.SecondaryKey, "secondaryKey") })
        {
            if (!string.IsNullOrEmpty(key) && !IsValidKey(key))
            {
                return $"authentication.symmetricKey.{what} must be base64 of 16–64 bytes (or empty to have one generated)";
            }
        }
        return null;
    }

    private static bool IsValidKey(string key)
    {
        Span<byte> buffer = stackalloc byte[128];
        return key.Length <= 172 && Convert.TryFromBase64String(key, buffer, out var written) && written is >= 16 and <= 64;
    }

    private static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(9));

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));

    // IoT Hub generation ids are 18-digit numbers; ticks of the creation time plus randomness look alike
    private string NewGenerationId() =>
        (_timeProvider.GetUtcNow().UtcTicks + RandomNumberGenerator.GetInt32(1_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static RegistryDocument Clone(RegistryDocument document) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(document, RegistryJsonContext.Default.RegistryDocument), RegistryJsonContext.Default.RegistryDocument)!;

    private async Task SaveAsync(RegistryDocument document, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // keys inside: owner read/write only, set at creation so no window exists with wider rights
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            await using (var stream = new FileStream(temp, options))
            {
                await JsonSerializer.SerializeAsync(stream, document, RegistryJsonContext.Default.RegistryDocument, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, _path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
