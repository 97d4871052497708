using System.Globalization;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHub;

/// <summary>
/// Builds and parses the IoT Hub / edgeHub MQTT topic names (PROTOCOLS.md "Device/module MQTT",
/// ARCHITECTURE.md §7). Pure; used by the module client and by the hub emulator. Parsers return
/// false for anything that is not exactly the expected shape, never throw on network input.
/// </summary>
public static class IotHubTopics
{
    /// <summary>Subscription for twin responses.</summary>
    public const string TwinResponseFilter = "$iothub/twin/res/#";

    /// <summary>Subscription for desired-property patches.</summary>
    public const string DesiredPatchFilter = "$iothub/twin/PATCH/properties/desired/#";

    /// <summary>Subscription for direct-method requests.</summary>
    public const string MethodRequestFilter = "$iothub/methods/POST/#";

    /// <summary>Longest request id accepted when parsing.</summary>
    public const int MaxRequestIdLength = 128;

    private const string TwinResponsePrefix = "$iothub/twin/res/";
    private const string TwinGetPrefix = "$iothub/twin/GET/";
    private const string TwinReportedPrefix = "$iothub/twin/PATCH/properties/reported/";
    private const string DesiredPrefix = "$iothub/twin/PATCH/properties/desired/";
    private const string MethodPostPrefix = "$iothub/methods/POST/";
    private const string MethodResponsePrefix = "$iothub/methods/res/";

    /// <summary>The CONNECT client id for a module: <c>{deviceId}/{moduleId}</c>.</summary>
    public static string ClientId(string deviceId, string moduleId) => $"{deviceId}/{moduleId}";

    /// <summary>The CONNECT user name: <c>{hostName}/{deviceId}/{moduleId}/?api-version={apiVersion}</c>.</summary>
    public static string UserName(string hostName, string deviceId, string moduleId, string apiVersion) =>
        $"{hostName}/{deviceId}/{moduleId}/?api-version={apiVersion}";

    /// <summary>Module telemetry: <c>devices/{d}/modules/{m}/messages/events/{bag}</c> (bag may be empty).</summary>
    public static string Telemetry(string deviceId, string moduleId, string propertyBag) =>
        $"devices/{deviceId}/modules/{moduleId}/messages/events/{propertyBag}";

    /// <summary>The subscription edgeHub accepts for module inputs: <c>devices/{d}/modules/{m}/#</c>.</summary>
    public static string ModuleInputFilter(string deviceId, string moduleId) => $"devices/{deviceId}/modules/{moduleId}/#";

    /// <summary>Input delivery (hub side): <c>devices/{d}/modules/{m}/inputs/{input}/{bag}</c>.</summary>
    public static string Input(string deviceId, string moduleId, string inputName, string propertyBag) =>
        $"devices/{deviceId}/modules/{moduleId}/inputs/{inputName}/{propertyBag}";

    /// <summary><c>$iothub/twin/GET/?$rid={rid}</c>.</summary>
    public static string TwinGet(string requestId) => $"{TwinGetPrefix}?$rid={requestId}";

    /// <summary><c>$iothub/twin/PATCH/properties/reported/?$rid={rid}</c>.</summary>
    public static string TwinPatchReported(string requestId) => $"{TwinReportedPrefix}?$rid={requestId}";

    /// <summary>Hub side: <c>$iothub/twin/res/{status}/?$rid={rid}[&amp;$version={n}]</c>.</summary>
    public static string TwinResponse(int status, string requestId, long? version = null) =>
        version is null
            ? string.Create(CultureInfo.InvariantCulture, $"{TwinResponsePrefix}{status}/?$rid={requestId}")
            : string.Create(CultureInfo.InvariantCulture, $"{TwinResponsePrefix}{status}/?$rid={requestId}&$version={version}");

    /// <summary>Hub side: <c>$iothub/twin/PATCH/properties/desired/?$version={n}</c>.</summary>
    public static string DesiredPatch(long version) => string.Create(CultureInfo.InvariantCulture, $"{DesiredPrefix}?$version={version}");

    /// <summary>Hub side: <c>$iothub/methods/POST/{name}/?$rid={rid}</c>.</summary>
    public static string MethodRequest(string methodName, string requestId) => $"{MethodPostPrefix}{methodName}/?$rid={requestId}";

    /// <summary><c>$iothub/methods/res/{status}/?$rid={rid}</c>.</summary>
    public static string MethodResponse(int status, string requestId) =>
        string.Create(CultureInfo.InvariantCulture, $"{MethodResponsePrefix}{status}/?$rid={requestId}");

    /// <summary>Parses a twin response topic.</summary>
    public static bool TryParseTwinResponse(string topic, out TwinResponseTopic result)
    {
        result = default;
        if (!topic.StartsWith(TwinResponsePrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = topic.AsSpan(TwinResponsePrefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || !TryParseStatus(rest[..slash], out var status) || !TryParseQuery(rest[(slash + 1)..], out var rid, out var version) || rid is null)
        {
            return false;
        }
        result = new TwinResponseTopic(status, rid, version);
        return true;
    }

    /// <summary>Parses <c>$iothub/twin/PATCH/properties/desired/?$version={n}</c>; the version may be absent.</summary>
    public static bool TryParseDesiredPatch(string topic, out long? version)
    {
        version = null;
        return topic.StartsWith(DesiredPrefix, StringComparison.Ordinal)
            && TryParseQuery(topic.AsSpan(DesiredPrefix.Length), out _, out version);
    }

    /// <summary>Parses <c>$iothub/methods/POST/{name}/?$rid={rid}</c>.</summary>
    public static bool TryParseMethodRequest(string topic, out MethodRequestTopic result)
    {
        result = default;
        if (!topic.StartsWith(MethodPostPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = topic.AsSpan(MethodPostPrefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash > 256 || !TryParseQuery(rest[(slash + 1)..], out var rid, out _) || rid is null)
        {
            return false;
        }
        result = new MethodRequestTopic(rest[..slash].ToString(), rid);
        return true;
    }

    /// <summary>Hub side: parses <c>$iothub/methods/res/{status}/?$rid={rid}</c>.</summary>
    public static bool TryParseMethodResponse(string topic, out MethodResponseTopic result)
    {
        result = default;
        if (!topic.StartsWith(MethodResponsePrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = topic.AsSpan(MethodResponsePrefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || !TryParseStatus(rest[..slash], out var status) || !TryParseQuery(rest[(slash + 1)..], out var rid, out _) || rid is null)
        {
            return false;
        }
        result = new MethodResponseTopic(status, rid);
        return true;
    }

    /// <summary>Hub side: parses a twin GET or reported PATCH request topic.</summary>
    public static bool TryParseTwinRequest(string topic, out TwinRequestTopic result)
    {
        result = default;
        TwinRequestKind kind;
        ReadOnlySpan<char> rest;
        if (topic.StartsWith(TwinGetPrefix, StringComparison.Ordinal))
        {
            kind = TwinRequestKind.Get;
            rest = topic.AsSpan(TwinGetPrefix.Length);
        }
        else if (topic.StartsWith(TwinReportedPrefix, StringComparison.Ordinal))
        {
            kind = TwinRequestKind.PatchReported;
            rest = topic.AsSpan(TwinReportedPrefix.Length);
        }
        else
        {
            return false;
        }
        if (!TryParseQuery(rest, out var rid, out _) || rid is null)
        {
            return false;
        }
        result = new TwinRequestTopic(kind, rid);
        return true;
    }

    /// <summary>Hub side: parses device or module telemetry topics.</summary>
    public static bool TryParseTelemetry(string topic, out TelemetryTopic result)
    {
        result = default;
        var segments = topic.Split('/', 7);
        // devices/{d}/messages/events/{bag}  or  devices/{d}/modules/{m}/messages/events/{bag}
        if (segments.Length >= 4 && segments[0] == "devices" && segments[2] == "messages" && segments[3] == "events" && IotHubConnectionString.IsIdentifier(segments[1]))
        {
            var bag = segments.Length > 4 ? string.Join('/', segments[4..]) : string.Empty;
            result = new TelemetryTopic(segments[1], null, bag);
            return !bag.Contains('/', StringComparison.Ordinal);
        }
        if (segments.Length >= 6 && segments[0] == "devices" && segments[2] == "modules" && segments[4] == "messages" && segments[5] == "events"
            && IotHubConnectionString.IsIdentifier(segments[1]) && IotHubConnectionString.IsIdentifier(segments[3]))
        {
            var bag = segments.Length > 6 ? segments[6] : string.Empty;
            result = new TelemetryTopic(segments[1], segments[3], bag);
            return !bag.Contains('/', StringComparison.Ordinal);
        }
        return false;
    }

    /// <summary>Parses an input delivery for this module: <c>devices/{d}/modules/{m}/inputs/{input}/{bag}</c>.</summary>
    public static bool TryParseInput(string topic, string deviceId, string moduleId, out InputTopic result)
    {
        result = default;
        var prefix = $"devices/{deviceId}/modules/{moduleId}/inputs/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = topic.AsSpan(prefix.Length);
        var slash = rest.IndexOf('/');
        var input = slash < 0 ? rest : rest[..slash];
        var bag = slash < 0 ? ReadOnlySpan<char>.Empty : rest[(slash + 1)..];
        if (input.IsEmpty || bag.Contains('/'))
        {
            return false;
        }
        result = new InputTopic(input.ToString(), bag.ToString());
        return true;
    }

    private static bool TryParseStatus(ReadOnlySpan<char> text, out int status) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out status) && status is >= 100 and <= 999;

    /// <summary>Parses <c>?$rid=…&amp;$version=…</c> (other keys ignored); false when malformed.</summary>
    private static bool TryParseQuery(ReadOnlySpan<char> text, out string? rid, out long? version)
    {
        rid = null;
        version = null;
        if (text.IsEmpty)
        {
            return true;
        }
        if (text[0] != '?')
        {
            return false;
        }
        text = text[1..];
        foreach (var range in text.Split('&'))
        {
            var part = text[range];
            var equals = part.IndexOf('=');
            if (equals < 0)
            {
                continue;
            }
            var key = part[..equals];
            var value = part[(equals + 1)..];
            if (key.SequenceEqual("$rid"))
            {
                if (value.IsEmpty || value.Length > MaxRequestIdLength)
                {
                    return false;
                }
                rid = value.ToString();
            }
            else if (key.SequenceEqual("$version"))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                {
                    return false;
                }
                version = v;
            }
        }
        return true;
    }
}
