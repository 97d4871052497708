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
        return new HubRegistry(fullPath, document, timeProvider ?? TimeProvider.System);
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
            var module = new ModuleIdentity { ModuleId = moduleId, PrimaryKey = NewKey(), GenerationId = NewGenerationId() };
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
            foreach (var device in document.Devices)
            {
                ValidateId(device.DeviceId, "deviceId");
                RequireKey(device.PrimaryKey, $"devices[{device.DeviceId}].primaryKey");
                foreach (var module in device.Modules)
                {
                    ValidateId(module.ModuleId, "moduleId");
                    RequireKey(module.PrimaryKey, $"devices[{device.DeviceId}].modules[{module.ModuleId}].primaryKey");
                }
            }
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"registry file {path} is invalid: {ex.Message}", ex);
        }
    }

    private static void RequireKey(string key, string what)
    {
        Span<byte> buffer = stackalloc byte[128];
        if (string.IsNullOrEmpty(key) || !Convert.TryFromBase64String(key, buffer, out var written) || written < 16)
        {
            throw new ArgumentException($"{what} must be a base64 key of at least 16 bytes.");
        }
    }

    private DeviceIdentity NewDevice(string deviceId) =>
        new() { DeviceId = deviceId, PrimaryKey = NewKey(), GenerationId = NewGenerationId() };

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
