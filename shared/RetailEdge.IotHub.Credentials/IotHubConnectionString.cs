using System.Text;

namespace RetailEdge.IotHub.Credentials;

/// <summary>
/// A device, module or service-policy connection string:
/// <c>HostName=…;DeviceId=…[;ModuleId=…];SharedAccessKey=…[;GatewayHostName=…]</c> or
/// <c>HostName=…;SharedAccessKeyName=…;SharedAccessKey=…</c>.
/// </summary>
/// <remarks>
/// The key is a secret: <see cref="ToString"/> redacts it so a connection string can never reach
/// a log by accident. Use <see cref="SharedAccessKey"/> only to sign.
/// </remarks>
public sealed class IotHubConnectionString
{
    /// <summary>Upper bound for an identifier (IoT Hub limits device and module ids to 128 characters).</summary>
    public const int MaxIdLength = 128;

    private IotHubConnectionString(string hostName, string? deviceId, string? moduleId, string? keyName, string sharedAccessKey, string? gatewayHostName)
    {
        HostName = hostName;
        DeviceId = deviceId;
        ModuleId = moduleId;
        SharedAccessKeyName = keyName;
        SharedAccessKey = sharedAccessKey;
        GatewayHostName = gatewayHostName;
    }

    /// <summary>The hub's host name: the SAS token audience and the CONNECT user-name host.</summary>
    public string HostName { get; }

    /// <summary>The device id (null for a service-policy connection string).</summary>
    public string? DeviceId { get; }

    /// <summary>The module id (null for a device or service-policy connection string).</summary>
    public string? ModuleId { get; }

    /// <summary>The shared access policy name (service connection strings only).</summary>
    public string? SharedAccessKeyName { get; }

    /// <summary>The base64 key. A secret: never log it.</summary>
    public string SharedAccessKey { get; }

    /// <summary>Where to connect when going through an IoT Edge gateway; the token audience stays <see cref="HostName"/>.</summary>
    public string? GatewayHostName { get; }

    /// <summary>True for <c>HostName;DeviceId;ModuleId;SharedAccessKey</c>.</summary>
    public bool IsModule => DeviceId is not null && ModuleId is not null;

    /// <summary>True for a service-policy connection string (<c>SharedAccessKeyName</c> set).</summary>
    public bool IsServicePolicy => SharedAccessKeyName is not null;

    /// <summary>Parses and validates; throws <see cref="FormatException"/> naming the offending field (never its value).</summary>
    public static IotHubConnectionString Parse(string connectionString) =>
        TryParse(connectionString, out var parsed, out var error) ? parsed : throw new FormatException(error);

    /// <summary>Parses and validates without throwing; <paramref name="error"/> names the problem, never the key.</summary>
    public static bool TryParse(string? connectionString, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IotHubConnectionString? result, out string error)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "the connection string is empty";
            return false;
        }
        if (connectionString.Length > 4096)
        {
            error = "the connection string is longer than 4096 characters";
            return false;
        }
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // the value may itself contain '=' (base64 padding), so split at the first one only
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = "a connection string field is not of the form Name=Value";
                return false;
            }
            var name = part[..equals].Trim();
            if (!fields.TryAdd(name, part[(equals + 1)..].Trim()))
            {
                error = $"the connection string field '{name}' appears twice";
                return false;
            }
        }

        fields.TryGetValue("HostName", out var hostName);
        fields.TryGetValue("DeviceId", out var deviceId);
        fields.TryGetValue("ModuleId", out var moduleId);
        fields.TryGetValue("SharedAccessKeyName", out var keyName);
        fields.TryGetValue("SharedAccessKey", out var key);
        fields.TryGetValue("GatewayHostName", out var gateway);
        if (fields.ContainsKey("x509") || fields.ContainsKey("SharedAccessSignature"))
        {
            error = "only SharedAccessKey authentication is supported (x509 and fixed SharedAccessSignature are not)";
            return false;
        }

        if (!IsHostName(hostName))
        {
            error = "HostName is missing or not a valid host name";
            return false;
        }
        if (gateway is not null && !IsHostName(gateway))
        {
            error = "GatewayHostName is not a valid host name";
            return false;
        }
        if (string.IsNullOrEmpty(key) || !IsBase64(key))
        {
            error = "SharedAccessKey is missing or not base64";
            return false;
        }
        if (keyName is not null)
        {
            if (keyName.Length is 0 or > MaxIdLength || deviceId is not null)
            {
                error = "SharedAccessKeyName must be 1-128 characters and is only valid without DeviceId";
                return false;
            }
        }
        else
        {
            if (!IsIdentifier(deviceId))
            {
                error = "DeviceId is missing or invalid (1-128 printable ASCII characters)";
                return false;
            }
            if (moduleId is not null && !IsIdentifier(moduleId))
            {
                error = "ModuleId is invalid (1-128 printable ASCII characters)";
                return false;
            }
        }
        if (moduleId is not null && deviceId is null)
        {
            error = "ModuleId requires DeviceId";
            return false;
        }

        result = new IotHubConnectionString(hostName!, deviceId, moduleId, keyName, key, gateway);
        error = string.Empty;
        return true;
    }

    /// <summary>Builds a module connection string; the inverse of <see cref="Parse"/>. The result holds the key: never log it.</summary>
    public static string FormatModule(string hostName, string deviceId, string moduleId, string sharedAccessKey, string? gatewayHostName = null)
    {
        var text = $"HostName={hostName};DeviceId={deviceId};ModuleId={moduleId};SharedAccessKey={sharedAccessKey}";
        var parsed = Parse(gatewayHostName is null ? text : text + ";GatewayHostName=" + gatewayHostName);
        return parsed.ToSecretString();
    }

    /// <summary>The full connection string including the key. A secret: never log it.</summary>
    public string ToSecretString() => Format(SharedAccessKey);

    /// <summary>The connection string with the key redacted; safe to log.</summary>
    public override string ToString() => Format("***");

    private string Format(string key)
    {
        var builder = new StringBuilder("HostName=").Append(HostName);
        if (DeviceId is not null)
        {
            builder.Append(";DeviceId=").Append(DeviceId);
        }
        if (ModuleId is not null)
        {
            builder.Append(";ModuleId=").Append(ModuleId);
        }
        if (SharedAccessKeyName is not null)
        {
            builder.Append(";SharedAccessKeyName=").Append(SharedAccessKeyName);
        }
        builder.Append(";SharedAccessKey=").Append(key);
        if (GatewayHostName is not null)
        {
            builder.Append(";GatewayHostName=").Append(GatewayHostName);
        }
        return builder.ToString();
    }

    /// <summary>A DNS name or IP literal: 1-255 characters of letters, digits, '-', '.', ':' (IPv6).</summary>
    public static bool IsHostName(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 255 &&
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or ':' or '_');

    /// <summary>IoT Hub device/module ids: 1-128 printable ASCII characters without '/' or whitespace.</summary>
    public static bool IsIdentifier(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxIdLength &&
        value.All(c => c is > ' ' and < (char)0x7F and not '/' and not '#' and not '+' and not ';');

    private static bool IsBase64(string value)
    {
        Span<byte> buffer = stackalloc byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written > 0;
    }
}
