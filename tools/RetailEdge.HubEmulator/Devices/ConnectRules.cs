using RetailEdge.HubEmulator.Registry;

namespace RetailEdge.HubEmulator.Devices;

/// <summary>
/// IoT Hub's CONNECT rules (PROTOCOLS.md "Device/module MQTT"): client id <c>{deviceId}/{moduleId}</c>
/// or <c>{deviceId}</c>; user name <c>{hostName}/{deviceId}[/{moduleId}]/?api-version=…</c>
/// (further query keys such as DeviceClientType allowed) naming the same identity. Pure.
/// </summary>
public static class ConnectRules
{
    /// <summary>The identity a client id names, or null when it is not of IoT Hub's form.</summary>
    public static IdentityKey? ParseClientId(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        var parts = clientId.Split('/');
        return parts.Length switch
        {
            1 when HubRegistry.IsValidId(parts[0]) => new IdentityKey(parts[0], null),
            2 when HubRegistry.IsValidId(parts[0]) && HubRegistry.IsValidId(parts[1]) => new IdentityKey(parts[0], parts[1]),
            _ => null,
        };
    }

    /// <summary>Checks the user name against the identity and host name; returns the reason when it does not match.</summary>
    public static string? CheckUserName(string? userName, IdentityKey identity, string hostName)
    {
        if (string.IsNullOrEmpty(userName))
        {
            return "the user name is missing";
        }
        if (userName.Length > 1024)
        {
            return "the user name is longer than 1024 characters";
        }
        var query = userName.IndexOf("/?", StringComparison.Ordinal);
        if (query < 0)
        {
            return "the user name lacks '/?api-version=…'";
        }
        var path = userName[..query];
        var parameters = userName[(query + 2)..].Split('&');
        if (!parameters.Any(p => p.StartsWith("api-version=", StringComparison.Ordinal) && p.Length > "api-version=".Length))
        {
            return "the user name lacks api-version";
        }
        var expected = identity.ModuleId is null
            ? $"{hostName}/{identity.DeviceId}"
            : $"{hostName}/{identity.DeviceId}/{identity.ModuleId}";
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !string.Equals(path[..slash], hostName, StringComparison.OrdinalIgnoreCase))
        {
            return "the user name's host is not this hub's host name";
        }
        if (!string.Equals(path[slash..], expected[hostName.Length..], StringComparison.Ordinal))
        {
            return "the user name names another identity than the client id";
        }
        return null;
    }
}
