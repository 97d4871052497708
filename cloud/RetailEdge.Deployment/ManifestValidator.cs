using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RetailEdge.Contracts.Twin;

namespace RetailEdge.Deployment;

/// <summary>
/// Checks a rendered <c>{"modulesContent":…}</c> before it goes to a hub (PROTOCOLS.md "Deployment manifest",
/// "Limits and billing"): the $edgeAgent and $edgeHub schema, every route's syntax and name, every
/// createOptions (chunks of at most 512 characters, at most 100 of them, joined they are a JSON object),
/// each module twin's desired properties within IoT Hub's twin limits (32 KB, 4 KB per value, legal keys,
/// depth 10), and StoreGateway's settings as the module itself would apply them. Returns every problem,
/// not only the first, so an operator fixes a manifest in one pass. Pure.
/// </summary>
public static partial class ManifestValidator
{
    public const string StoreGatewayModule = "StoreGateway";

    private static readonly string[] Statuses = ["running", "stopped"];
    private static readonly string[] RestartPolicies = ["never", "on-failure", "on-unhealthy", "always"];
    private static readonly string[] PullPolicies = ["on-create", "never"];

    public static IReadOnlyList<ManifestProblem> Validate(JsonObject content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var problems = new List<ManifestProblem>();
        if (content["modulesContent"] is not JsonObject modulesContent)
        {
            problems.Add(Schema("modulesContent", "must be an object"));
            return problems;
        }
        var moduleNames = ValidateAgent(modulesContent, problems);
        ValidateHub(modulesContent, moduleNames, problems);
        foreach (var (name, module) in modulesContent)
        {
            var path = $"modulesContent.{name}";
            if (module is not JsonObject moduleObject || moduleObject["properties.desired"] is not JsonObject desired)
            {
                problems.Add(Schema(path, "must be {\"properties.desired\":{…}}"));
                continue;
            }
            if (name is not "$edgeAgent" and not "$edgeHub" && !moduleNames.Contains(name))
            {
                problems.Add(Schema(path, $"there is no module {name} in $edgeAgent's modules to receive these properties"));
            }
            var withinLimits = true;
            if (TwinRules.Validate(desired, allowNulls: false) is { } twinError)
            {
                problems.Add(new ManifestProblem(ManifestProblemCodes.TwinLimit, path, twinError));
                withinLimits = false;
            }
            var size = TwinRules.SizeOf(desired);
            if (size > TwinRules.MaxSectionBytes)
            {
                problems.Add(new ManifestProblem(ManifestProblemCodes.TwinLimit, path,
                    $"the desired properties are {size:N0} bytes; a module twin takes at most {TwinRules.MaxSectionBytes:N0} (move large data out of the twin)"));
                withinLimits = false;
            }
            // the module's own check (it would report a configError): only for a twin the hub would take at all
            if (withinLimits && name == StoreGatewayModule)
            {
                using var document = JsonDocument.Parse(desired.ToJsonString());
                if (GatewaySettings.Apply(GatewaySettings.Default, document.RootElement).Error is { } settingsError)
                {
                    problems.Add(new ManifestProblem(ManifestProblemCodes.Settings, path, settingsError));
                }
            }
        }
        return problems;
    }

    private static HashSet<string> ValidateAgent(JsonObject modulesContent, List<ManifestProblem> problems)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        const string root = "$edgeAgent.properties.desired";
        if (JsonWalk.Get(modulesContent, "$edgeAgent", "properties.desired") is not JsonObject agent)
        {
            problems.Add(Schema(root, "is missing: a deployment needs the edge agent's desired properties"));
            return names;
        }
        RequireString(agent, "schemaVersion", root, problems);
        if (agent["runtime"] is not JsonObject runtime)
        {
            problems.Add(Schema(root + ".runtime", "must be an object"));
        }
        else
        {
            RequireOneOf(runtime, "type", root + ".runtime", ["docker"], problems);
            if (JsonWalk.Get(runtime, "settings", "registryCredentials") is JsonObject credentials)
            {
                foreach (var (name, credential) in credentials)
                {
                    foreach (var field in new[] { "username", "password", "address" })
                    {
                        // the value may be a password: name the field, never show it
                        if (string.IsNullOrWhiteSpace(JsonWalk.GetString(credential, field)))
                        {
                            problems.Add(Schema($"{root}.runtime.settings.registryCredentials.{name}.{field}", "must be a non-empty string"));
                        }
                    }
                }
            }
        }
        if (agent["systemModules"] is not JsonObject system || system["edgeAgent"] is not JsonObject || system["edgeHub"] is not JsonObject)
        {
            problems.Add(Schema(root + ".systemModules", "must hold edgeAgent and edgeHub"));
        }
        else
        {
            foreach (var (name, module) in system)
            {
                ValidateModule($"{root}.systemModules.{name}", module as JsonObject, name == "edgeHub", problems);
            }
        }
        if (agent["modules"] is JsonObject modules)
        {
            foreach (var (name, module) in modules)
            {
                if (!ModuleIdPattern().IsMatch(name))
                {
                    problems.Add(Schema($"{root}.modules.{name}", "is not a valid module id"));
                }
                names.Add(name);
                ValidateModule($"{root}.modules.{name}", module as JsonObject, requireStatus: true, problems);
            }
        }
        else if (agent["modules"] is not null)
        {
            problems.Add(Schema(root + ".modules", "must be an object"));
        }
        return names;
    }

    private static void ValidateModule(string path, JsonObject? module, bool requireStatus, List<ManifestProblem> problems)
    {
        if (module is null)
        {
            problems.Add(Schema(path, "must be an object"));
            return;
        }
        RequireOneOf(module, "type", path, ["docker"], problems);
        if (requireStatus || module["status"] is not null)
        {
            RequireOneOf(module, "status", path, Statuses, problems);
            RequireOneOf(module, "restartPolicy", path, RestartPolicies, problems);
        }
        if (module["imagePullPolicy"] is not null)
        {
            RequireOneOf(module, "imagePullPolicy", path, PullPolicies, problems);
        }
        if (module["startupOrder"] is { } order && (order is not JsonValue orderValue || !orderValue.TryGetValue<int>(out var startup) || startup < 0))
        {
            problems.Add(Schema(path + ".startupOrder", "must be a whole number ≥ 0"));
        }
        if (module["env"] is { } env)
        {
            if (env is not JsonObject variables)
            {
                problems.Add(Schema(path + ".env", "must be an object of {\"NAME\":{\"value\":…}}"));
            }
            else
            {
                foreach (var (name, variable) in variables)
                {
                    if (JsonWalk.Get(variable, "value") is not JsonValue value || value.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
                    {
                        problems.Add(Schema($"{path}.env.{name}", "must be {\"value\":<string, number or boolean>}"));
                    }
                }
            }
        }
        if (module["settings"] is not JsonObject settings)
        {
            problems.Add(Schema(path + ".settings", "must be an object with an image"));
            return;
        }
        if (settings["image"] is not JsonValue image || !image.TryGetValue<string>(out var imageName) || string.IsNullOrWhiteSpace(imageName) || imageName.Any(char.IsWhiteSpace))
        {
            problems.Add(Schema(path + ".settings.image", "must be an image reference such as registry/name:tag"));
        }
        ValidateCreateOptions(path + ".settings", settings, problems);
    }

    private static void ValidateCreateOptions(string path, JsonObject settings, List<ManifestProblem> problems)
    {
        var chunks = settings.Where(p => p.Key.StartsWith("createOptions", StringComparison.Ordinal)).ToList();
        if (chunks.Count == 0)
        {
            return;
        }
        if (chunks.Count > DeploymentTemplate.MaxCreateOptionsChunks)
        {
            problems.Add(Create(path, $"has {chunks.Count} createOptions chunks; the edge agent joins at most {DeploymentTemplate.MaxCreateOptionsChunks}"));
            return;
        }
        var joined = new System.Text.StringBuilder();
        for (var i = 0; i < chunks.Count; i++)
        {
            var key = DeploymentTemplate.ChunkKey(i);
            if (settings[key] is not JsonValue value || !value.TryGetValue<string>(out var chunk))
            {
                problems.Add(Create($"{path}.{key}", "must be a string (createOptions is JSON text, in chunks named createOptions, createOptions01, … without gaps)"));
                return;
            }
            if (chunk.Length > DeploymentTemplate.CreateOptionsChunkLength)
            {
                problems.Add(Create($"{path}.{key}", $"is {chunk.Length} characters; a chunk holds at most {DeploymentTemplate.CreateOptionsChunkLength}"));
            }
            joined.Append(chunk);
        }
        try
        {
            if (JsonNode.Parse(joined.ToString()) is not JsonObject)
            {
                problems.Add(Create(path + ".createOptions", "must be a JSON object (Docker's container create options)"));
            }
        }
        catch (JsonException e)
        {
            problems.Add(Create(path + ".createOptions", "is not JSON: " + e.Message));
        }
    }

    private static void ValidateHub(JsonObject modulesContent, HashSet<string> moduleNames, List<ManifestProblem> problems)
    {
        const string root = "$edgeHub.properties.desired";
        if (JsonWalk.Get(modulesContent, "$edgeHub", "properties.desired") is not JsonObject hub)
        {
            problems.Add(Schema(root, "is missing: a deployment needs the edge hub's desired properties (routes)"));
            return;
        }
        RequireString(hub, "schemaVersion", root, problems);
        if (hub["routes"] is not JsonObject routes)
        {
            problems.Add(Schema(root + ".routes", "must be an object of named routes"));
        }
        else
        {
            foreach (var (name, route) in routes)
            {
                ValidateRoute($"{root}.routes.{name}", name, route, moduleNames, problems);
            }
        }
        if (hub["storeAndForwardConfiguration"] is { } storeAndForward
            && (JsonWalk.Get(storeAndForward, "timeToLiveSecs") is not JsonValue ttl || !ttl.TryGetValue<long>(out var seconds) || seconds < 0))
        {
            problems.Add(Schema(root + ".storeAndForwardConfiguration.timeToLiveSecs", "must be a whole number of seconds ≥ 0"));
        }
    }

    private static void ValidateRoute(string path, string name, JsonNode? route, HashSet<string> moduleNames, List<ManifestProblem> problems)
    {
        if (!RouteNamePattern().IsMatch(name))
        {
            problems.Add(Route(path, "a route name may not contain '.', '$', '#' or a space"));
        }
        string? text;
        if (route is JsonObject routeObject)
        {
            text = routeObject["route"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (routeObject["priority"] is { } priority && (priority is not JsonValue p || !p.TryGetValue<int>(out var value) || value is < 0 or > 9))
            {
                problems.Add(Route(path + ".priority", "must be 0–9 (0 is the highest)"));
            }
            if (routeObject["timeToLiveSecs"] is { } timeToLive && (timeToLive is not JsonValue t || !t.TryGetValue<long>(out var seconds) || seconds < 0))
            {
                problems.Add(Route(path + ".timeToLiveSecs", "must be a whole number of seconds ≥ 0"));
            }
        }
        else
        {
            text = route is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        if (text is null)
        {
            problems.Add(Route(path, "must be \"FROM … INTO …\" or {\"route\":\"FROM … INTO …\",\"priority\":0–9,\"timeToLiveSecs\":…}"));
            return;
        }
        var match = RoutePattern().Match(text);
        if (!match.Success)
        {
            problems.Add(Route(path, $"'{Short(text)}' is not FROM /messages/… [WHERE …] INTO $upstream | BrokeredEndpoint(\"/modules/<m>/inputs/<i>\")"));
            return;
        }
        if (match.Groups["target"].Success && !moduleNames.Contains(match.Groups["target"].Value))
        {
            problems.Add(Route(path, $"sends to module {match.Groups["target"].Value}, which the deployment does not run"));
        }
    }

    private static void RequireString(JsonObject node, string name, string path, List<ManifestProblem> problems)
    {
        if (node[name] is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Length == 0)
        {
            problems.Add(Schema($"{path}.{name}", "must be a non-empty string"));
        }
    }

    private static void RequireOneOf(JsonObject node, string name, string path, string[] allowed, List<ManifestProblem> problems)
    {
        if (node[name] is not JsonValue v || !v.TryGetValue<string>(out var text) || !allowed.Contains(text, StringComparer.Ordinal))
        {
            problems.Add(Schema($"{path}.{name}", "must be " + string.Join(" or ", allowed.Select(a => '"' + a + '"'))));
        }
    }

    private static string Short(string text) => text.Length <= 120 ? text : text[..120] + "…";

    private static ManifestProblem Schema(string path, string message) => new(ManifestProblemCodes.Schema, path, message);

    private static ManifestProblem Route(string path, string message) => new(ManifestProblemCodes.Route, path, message);

    private static ManifestProblem Create(string path, string message) => new(ManifestProblemCodes.CreateOptions, path, message);

    // PROTOCOLS.md: route names match ^[^\.\$# ]+$
    [GeneratedRegex(@"^[^\.\$# ]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RouteNamePattern();

    // FROM <source> [WHERE <condition>] INTO <sink>; sources /messages/*, /messages/modules/<m>/*, /messages/modules/<m>/outputs/<o|*>
    [GeneratedRegex(
        @"^\s*FROM\s+/messages/(\*|modules/[^/\s""]+/(\*|outputs/(\*|[^/\s""]+)))\s+(WHERE\s+\S.*?\s+)?INTO\s+(\$upstream|BrokeredEndpoint\(\s*""/modules/(?<target>[^/\s""]+)/inputs/[^/\s""]+""\s*\))\s*$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex RoutePattern();

    // IoT Hub module ids: up to 128 of letters, digits and - : . + % _ # * ? ! ( ) , = @ ; $ '
    [GeneratedRegex(@"^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex ModuleIdPattern();
}
