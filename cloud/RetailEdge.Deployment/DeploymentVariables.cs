using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.Deployment;

/// <summary>
/// Where a template's placeholders get their values, strongest first: <c>--set KEY=VALUE</c>, the
/// device's own tags (per store: <c>tags.storeId</c> → <c>STORE_ID</c>), then the environment
/// (registry credentials: <c>CONTAINER_REGISTRY_PASSWORD</c> …), and <c>DEVICE_ID</c>. Pure: the caller
/// passes the environment in.
/// </summary>
public static class DeploymentVariables
{
    public const string DeviceIdVariable = "DEVICE_ID";

    /// <summary>Parses <c>KEY=VALUE</c>; the problem names the bad argument's key only (a value may be a secret).</summary>
    public static (KeyValuePair<string, string>? Pair, string? Error) ParseSet(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return (null, "--set takes KEY=VALUE (e.g. --set EDGE_RUNTIME_VERSION=1.5)");
        }
        var key = argument[..equals].Trim();
        return key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '$' or '{' or '}')
            ? (null, "--set: the key before '=' must be a placeholder name such as MODULES.StoreGateway or STORE_ID")
            : (new KeyValuePair<string, string>(key, argument[(equals + 1)..]), null);
    }

    /// <summary>
    /// The device twin's scalar tags as variables in upper snake case: storeId → STORE_ID,
    /// location.lanAddress → LOCATION_LAN_ADDRESS.
    /// </summary>
    public static Dictionary<string, string> FromTags(JsonObject tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        Flatten(tags, string.Empty, variables);
        return variables;
    }

    /// <summary>The variables for one device: <paramref name="sets"/> over its tags over the environment (only the names the template uses).</summary>
    public static Dictionary<string, string> ForDevice(
        string deviceId, JsonObject tags, IReadOnlyDictionary<string, string> sets, IReadOnlySet<string> placeholders, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(sets);
        ArgumentNullException.ThrowIfNull(placeholders);
        ArgumentNullException.ThrowIfNull(environment);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { [DeviceIdVariable] = deviceId };
        foreach (var name in placeholders)
        {
            if (environment(name) is { } value)
            {
                variables[name] = value;
            }
        }
        foreach (var (name, value) in FromTags(tags))
        {
            variables[name] = value;
        }
        foreach (var (name, value) in sets)
        {
            variables[name] = value;
        }
        return variables;
    }

    /// <summary>storeId → STORE_ID, lanAddress → LAN_ADDRESS.</summary>
    public static string UpperSnake(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var result = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])))
            {
                result.Append('_');
            }
            result.Append(char.IsLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }
        return result.ToString();
    }

    private static void Flatten(JsonObject node, string prefix, Dictionary<string, string> variables)
    {
        foreach (var (key, value) in node)
        {
            var name = prefix + UpperSnake(key);
            switch (value)
            {
                case JsonObject child:
                    Flatten(child, name + "_", variables);
                    break;
                case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String:
                    variables[name] = scalar.GetValue<string>();
                    break;
                case JsonValue scalar when scalar.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    variables[name] = Convert.ToString(scalar.ToJsonString(), CultureInfo.InvariantCulture);
                    break;
            }
        }
    }
}
