using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RetailEdge.Deployment;

/// <summary>
/// An IoT Edge deployment template in the iotedgedev form (PROTOCOLS.md "Deployment manifest"):
/// <c>{"$schema-template":"4.0.0","modulesContent":{…}}</c> whose string values hold placeholders —
/// <c>${NAME}</c> (e.g. <c>${MODULES.StoreGateway}</c>, <c>${STORE_ID}</c>) and the bare upper-case
/// <c>$NAME</c> (<c>$CONTAINER_REGISTRY_PASSWORD</c>). Only values are substituted, never keys, so
/// <c>$edgeAgent</c> and <c>$upstream</c> stay as they are. Rendering substitutes every placeholder
/// (one left unresolved is a problem, not an empty string) and splits each <c>createOptions</c> longer
/// than 512 characters into the chunks the edge agent joins again. Pure.
/// </summary>
public sealed partial class DeploymentTemplate
{
    /// <summary>edgeAgent reads createOptions in chunks of at most this many characters.</summary>
    public const int CreateOptionsChunkLength = 512;

    /// <summary>The most chunks edgeAgent joins (createOptions, createOptions01 … createOptions99).</summary>
    public const int MaxCreateOptionsChunks = 100;

    private readonly JsonObject _modulesContent;

    private DeploymentTemplate(JsonObject modulesContent, IReadOnlySet<string> placeholders)
    {
        _modulesContent = modulesContent;
        Placeholders = placeholders;
    }

    /// <summary>Every placeholder name the template uses.</summary>
    public IReadOnlySet<string> Placeholders { get; }

    /// <summary>The template, or the problem that makes it unreadable (not JSON, no modulesContent object).</summary>
    public static (DeploymentTemplate? Template, ManifestProblem? Problem) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            return (null, new ManifestProblem(ManifestProblemCodes.NotJson, "$", "the manifest is not JSON: " + e.Message));
        }
        if (root is not JsonObject rootObject || rootObject["modulesContent"] is not JsonObject modulesContent)
        {
            return (null, new ManifestProblem(ManifestProblemCodes.Schema, "modulesContent", "the manifest must be an object with a \"modulesContent\" object"));
        }
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var value in Strings(modulesContent))
        {
            foreach (Match match in PlaceholderPattern().Matches(value))
            {
                names.Add(NameOf(match));
            }
        }
        return (new DeploymentTemplate(modulesContent, names), null);
    }

    /// <summary>
    /// The <c>{"modulesContent":…}</c> with every placeholder replaced by its variable; the problems name each
    /// placeholder without a value (never a value: some are credentials).
    /// </summary>
    public (JsonObject? Content, IReadOnlyList<ManifestProblem> Problems) Render(IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var missing = Placeholders.Where(name => !variables.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            return (null, [.. missing.Select(name => new ManifestProblem(ManifestProblemCodes.UnresolvedPlaceholder, name,
                $"no value for the placeholder {name}: give --set {name}=… or set the environment variable"))]);
        }
        var content = (JsonObject)_modulesContent.DeepClone();
        Substitute(content, variables);
        foreach (var settings in ModuleSettings(content))
        {
            ChunkCreateOptions(settings);
        }
        return (new JsonObject { ["modulesContent"] = content }, []);
    }

    /// <summary>The image of a module described by an iotedgedev <c>module.json</c>: repository:version-platform, with placeholders resolved.</summary>
    public static string? ImageFromModuleJson(string moduleJson, string platform, Func<string, string?> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(moduleJson);
        }
        catch (JsonException)
        {
            return null;
        }
        if (JsonWalk.GetString(root, "image", "repository") is not { } repository || JsonWalk.GetString(root, "image", "tag", "version") is not { } version)
        {
            return null;
        }
        var resolved = PlaceholderPattern().Replace(repository, m => resolve(NameOf(m)) ?? m.Value);
        return PlaceholderPattern().IsMatch(resolved) ? null : $"{resolved}:{version}-{platform}";
    }

    /// <summary>Each module's and system module's <c>settings</c> object in a modulesContent.</summary>
    internal static IEnumerable<(string Path, JsonObject Settings)> ModuleSettingsWithPaths(JsonObject modulesContent)
    {
        if (JsonWalk.Get(modulesContent, "$edgeAgent", "properties.desired") is not JsonObject agent)
        {
            yield break;
        }
        foreach (var group in new[] { "systemModules", "modules" })
        {
            if (agent[group] is not JsonObject modules)
            {
                continue;
            }
            foreach (var (name, module) in modules)
            {
                if (JsonWalk.Get(module, "settings") is JsonObject settings)
                {
                    yield return ($"$edgeAgent.{group}.{name}.settings", settings);
                }
            }
        }
    }

    private static IEnumerable<JsonObject> ModuleSettings(JsonObject modulesContent) => ModuleSettingsWithPaths(modulesContent).Select(s => s.Settings).ToList();

    private static void ChunkCreateOptions(JsonObject settings)
    {
        if (settings["createOptions"] is not JsonValue value || !value.TryGetValue<string>(out var text) || text.Length <= CreateOptionsChunkLength)
        {
            return;
        }
        for (var i = 0; i * CreateOptionsChunkLength < text.Length; i++)
        {
            var chunk = text.Substring(i * CreateOptionsChunkLength, Math.Min(CreateOptionsChunkLength, text.Length - i * CreateOptionsChunkLength));
            settings[ChunkKey(i)] = chunk;
        }
    }

    /// <summary>createOptions, createOptions01, createOptions02, …</summary>
    internal static string ChunkKey(int index) => index == 0 ? "createOptions" : "createOptions" + index.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    private static void Substitute(JsonNode node, IReadOnlyDictionary<string, string> variables)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        obj[key] = Replace(text, variables, jsonText: key.StartsWith("createOptions", StringComparison.Ordinal));
                    }
                    else if (obj[key] is { } child)
                    {
                        Substitute(child, variables);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        array[i] = Replace(text, variables, jsonText: false);
                    }
                    else if (array[i] is { } child)
                    {
                        Substitute(child, variables);
                    }
                }
                break;
        }
    }

    /// <param name="jsonText">
    /// the value is JSON text (createOptions): a value goes in JSON-escaped, so a device tag such as
    /// <c>10.0.0.2"}],"Privileged":true…</c> stays inside its string and cannot add Docker options
    /// </param>
    private static string Replace(string text, IReadOnlyDictionary<string, string> variables, bool jsonText)
    {
        var result = new StringBuilder(text.Length);
        var last = 0;
        foreach (Match match in PlaceholderPattern().Matches(text))
        {
            var value = variables[NameOf(match)];
            result.Append(text, last, match.Index - last).Append(jsonText ? JsonSerializer.Serialize(value, DeploymentJsonContext.Default.String)[1..^1] : value);
            last = match.Index + match.Length;
        }
        return result.Append(text, last, text.Length - last).ToString();
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    private static string NameOf(Match match) => match.Groups["braced"].Success ? match.Groups["braced"].Value : match.Groups["bare"].Value;

    // ${Name.With.Dots} or $UPPER_CASE (a lower-case $edgeAgent / $upstream is IoT Edge syntax, not a placeholder)
    [GeneratedRegex(@"\$\{(?<braced>[A-Za-z_][A-Za-z0-9_.]*)\}|\$(?<bare>[A-Z_][A-Z0-9_]*)(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();
}
