using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Deployment;
using RetailEdge.IotHubService;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge deploy --manifest edge/deployment.template.json (--device ID | --target-condition "tags.…")
/// --set KEY=VALUE … [--dry-run]</c>: renders the template once per device (its StoreId and other
/// per-store values come from the device twin's tags), checks every rendered manifest, and only when all
/// are valid applies each to its device with applyConfigurationContent and records the deployment in the
/// device twin's <c>deployment</c> tag. An IoT Hub configuration (one manifest for every targeted device)
/// cannot carry a different StoreId per store, so the target condition selects devices here; with
/// <c>--configuration</c> a manifest that renders the same for every device becomes a configuration
/// (target condition and priority), which the hub applies, also to devices that match later.
/// </summary>
public static class DeployCommand
{
    /// <summary>Exit code when the hub refuses or cannot be reached.</summary>
    public const int HubFailedExitCode = 3;

    /// <summary>The platform suffix of an image built from a module.json (iotedgedev's default).</summary>
    public const string DefaultPlatform = "amd64";

    private const string ModulesPrefix = "MODULES.";

    public static Command Create()
    {
        var manifest = new Option<string>("--manifest") { Description = "The deployment template (iotedgedev form, e.g. edge/deployment.template.json)", Required = true };
        var device = new Option<string?>("--device") { Description = "Deploy to this one IoT Edge device" };
        var condition = new Option<string?>("--target-condition") { Description = "Deploy to every device whose twin matches, e.g. \"tags.environment = 'prod'\"" };
        var sets = new Option<string[]>("--set") { Description = "KEY=VALUE for a placeholder (e.g. MODULES.StoreGateway=myregistry.azurecr.io/storegateway:1.2.0); wins over device tags and the environment", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string?>("--name") { Description = "The deployment's name recorded on each device (default: derived from the template and the --set values)" };
        var platform = new Option<string>("--platform") { Description = "Image platform for modules whose image comes from their module.json", DefaultValueFactory = _ => DefaultPlatform };
        var dryRun = new Option<bool>("--dry-run") { Description = "Render and check for every device, print what would be applied, change nothing" };
        var configuration = new Option<string?>("--configuration") { Description = "With --target-condition: create this IoT Hub configuration (automatic deployment; devices that match later get it too) instead of applying per device; only for a manifest that is the same for every device" };
        var priority = new Option<int>("--priority") { Description = "The configuration's priority (the highest wins where configurations overlap)", DefaultValueFactory = _ => 0 };
        priority.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--priority must be 0 or more");
            }
        });
        var iotHub = IotHubArguments.Create("read device tags and apply the deployment");
        var command = new Command("deploy", "Render, check and apply an IoT Edge deployment manifest to store gateways");
        foreach (var option in new Option[] { manifest, device, condition, sets, name, platform, dryRun, configuration, priority })
        {
            command.Options.Add(option);
        }
        iotHub.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var target = parseResult.GetValue(device);
            var targetCondition = parseResult.GetValue(condition);
            if ((target is null) == (targetCondition is null))
            {
                await Console.Error.WriteLineAsync("error: give either --device or --target-condition").ConfigureAwait(false);
                return CliApp.UsageError;
            }
            var configurationId = parseResult.GetValue(configuration);
            if (configurationId is not null && targetCondition is null)
            {
                await Console.Error.WriteLineAsync("error: --configuration needs --target-condition (a configuration selects its devices itself)").ConfigureAwait(false);
                return CliApp.UsageError;
            }
            var setValues = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var argument in parseResult.GetValue(sets) ?? [])
            {
                var (pair, error) = DeploymentVariables.ParseSet(argument);
                if (pair is null)
                {
                    await Console.Error.WriteLineAsync("error: " + error).ConfigureAwait(false);
                    return CliApp.UsageError;
                }
                setValues[pair.Value.Key] = pair.Value.Value;
            }
            var request = new DeployRequest(parseResult.GetValue(manifest)!, target, targetCondition, setValues, parseResult.GetValue(name),
                parseResult.GetValue(platform)!, parseResult.GetValue(dryRun), configurationId, parseResult.GetValue(priority));
            var (template, templateText) = await ReadTemplateAsync(request.ManifestPath).ConfigureAwait(false);
            if (template is null)
            {
                return CliApp.UsageError;
            }
            using var hub = await iotHub.TryOpenRequiredAsync(parseResult).ConfigureAwait(false);
            if (hub is null)
            {
                return CliApp.UsageError;
            }
            try
            {
                return await DeployAsync(hub, template, templateText!, request, Console.Out, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IotHubArguments.DescribeHubFailure(e) is { } failure)
            {
                await Console.Error.WriteLineAsync("error: " + failure).ConfigureAwait(false);
                return HubFailedExitCode;
            }
        });
        return command;
    }

    private static async Task<(DeploymentTemplate? Template, string? Text)> ReadTemplateAsync(string path)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            await Console.Error.WriteLineAsync($"error: cannot read the manifest {path}: {e.Message}").ConfigureAwait(false);
            return (null, null);
        }
        var (template, problem) = DeploymentTemplate.Parse(text);
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync($"error: manifest refused: {problem}").ConfigureAwait(false);
        }
        return (template, text);
    }

    private static async Task<int> DeployAsync(IotHubServiceClient hub, DeploymentTemplate template, string templateText, DeployRequest request, TextWriter output, CancellationToken cancellationToken)
    {
        var devices = new List<Twin>();
        if (request.DeviceId is not null)
        {
            devices.Add(await hub.GetDeviceTwinAsync(request.DeviceId, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            await foreach (var twin in hub.QueryTwinsAsync("SELECT * FROM devices WHERE " + request.TargetCondition, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                devices.Add(twin);
            }
            devices.Sort((a, b) => string.CompareOrdinal(a.DeviceId, b.DeviceId));
        }
        if (devices.Count == 0)
        {
            await Console.Error.WriteLineAsync($"error: no device matches the target condition {request.TargetCondition}").ConfigureAwait(false);
            return CliApp.UsageError;
        }
        var moduleImages = ModuleImagesFromModuleJson(template, request);
        foreach (var (key, value) in request.Sets.Where(p => p.Key.StartsWith(ModulesPrefix, StringComparison.Ordinal)))
        {
            moduleImages[key] = value;
        }
        // named after the template and the images only: other --set values may be credentials
        var deploymentId = request.Name ?? DefaultName(templateText, moduleImages);
        // render and check every device first: an invalid manifest reaches no device
        var rendered = new List<(Twin Device, JsonObject Content)>();
        var problems = new List<(string Device, ManifestProblem Problem)>();
        foreach (var device in devices)
        {
            var sets = new Dictionary<string, string>(moduleImages, StringComparer.Ordinal);
            foreach (var (key, value) in request.Sets)
            {
                sets[key] = value;
            }
            var variables = DeploymentVariables.ForDevice(device.DeviceId, device.Tags, sets, template.Placeholders, Environment.GetEnvironmentVariable);
            var (content, renderProblems) = template.Render(variables);
            var deviceProblems = content is null ? renderProblems : ManifestValidator.Validate(content);
            problems.AddRange(deviceProblems.Select(p => (device.DeviceId, p)));
            if (content is not null && deviceProblems.Count == 0)
            {
                rendered.Add((device, content));
            }
        }
        if (problems.Count > 0)
        {
            // one line per problem with the devices it concerns (the same template problem usually hits every device)
            foreach (var group in problems.GroupBy(p => p.Problem))
            {
                var names = group.Select(p => p.Device).ToList();
                await Console.Error.WriteLineAsync($"error: manifest refused: {group.Key} ({(names.Count == devices.Count && devices.Count > 1 ? "every device" : string.Join(", ", names))})").ConfigureAwait(false);
            }
            return CliApp.UsageError;
        }
        if (request.ConfigurationId is not null)
        {
            if (rendered.Select(r => r.Content.ToJsonString()).Distinct(StringComparer.Ordinal).Count() > 1)
            {
                await Console.Error.WriteLineAsync("error: manifest refused for --configuration: it renders differently per device (per-store values such as STORE_ID from the tags), "
                    + "and a configuration carries one manifest for every device it targets; deploy without --configuration to give each device its own").ConfigureAwait(false);
                return CliApp.UsageError;
            }
            var configuration = new JsonObject
            {
                ["id"] = request.ConfigurationId,
                ["content"] = rendered[0].Content.DeepClone(),
                ["targetCondition"] = request.TargetCondition,
                ["priority"] = request.Priority,
                ["labels"] = new JsonObject { [DeploymentRecord.TagName] = deploymentId },
            };
            if (!request.DryRun)
            {
                var created = await hub.PutConfigurationAsync(request.ConfigurationId, configuration, cancellationToken: cancellationToken).ConfigureAwait(false);
                var results = created["systemMetrics"]?["results"];
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"configuration {request.ConfigurationId} (priority {request.Priority}, {request.TargetCondition}): targeted {results?["targetedCount"]}, applied {results?["appliedCount"]}")).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"would create configuration {request.ConfigurationId} (priority {request.Priority}, {request.TargetCondition}) for {rendered.Count} device(s) matching now")).ConfigureAwait(false);
            }
        }
        await output.WriteLineAsync($"deployment {deploymentId}: {rendered.Count} device(s){(request.DryRun ? ", dry run: nothing is changed" : string.Empty)}").ConfigureAwait(false);
        foreach (var (device, content) in rendered)
        {
            var json = content.ToJsonString();
            var record = new DeploymentRecord
            {
                Id = deploymentId,
                ContentSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))),
                AppliedAt = TimeProvider.System.GetUtcNow(),
            };
            if (!request.DryRun)
            {
                if (request.ConfigurationId is null)
                {
                    await hub.ApplyConfigurationContentAsync(device.DeviceId, content, cancellationToken).ConfigureAwait(false);
                }
                var tag = JsonSerializer.SerializeToNode(record, DeploymentJsonContext.Default.DeploymentRecord);
                await hub.UpdateDeviceTwinAsync(device.DeviceId, null, new JsonObject { [DeploymentRecord.TagName] = tag }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            await output.WriteLineAsync(Summary(device, content, record, request.DryRun)).ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>One line per device: store, modules and images, and the size of the largest module twin — never a credential.</summary>
    private static string Summary(Twin device, JsonObject content, DeploymentRecord record, bool dryRun)
    {
        var modulesContent = (JsonObject)content["modulesContent"]!;
        var store = DeploymentVariables.FromTags(device.Tags).TryGetValue("STORE_ID", out var storeId) ? " store " + storeId : string.Empty;
        var images = DeployedModules.Images(modulesContent).Select(m => $"{m.Key}={m.Value}");
        var largest = modulesContent.Max(m => m.Value?["properties.desired"] is JsonObject desired ? Encoding.UTF8.GetByteCount(desired.ToJsonString()) : 0);
        return string.Create(CultureInfo.InvariantCulture,
            $"{(dryRun ? "would apply to" : "applied to")} {device.DeviceId}{store}: {string.Join(", ", images)}; largest module twin {largest:N0} bytes; sha256 {record.ContentSha256![..12]}");
    }

    /// <summary>MODULES.&lt;Name&gt; from modules/&lt;Name&gt;/module.json beside the manifest, for the names --set does not give.</summary>
    private static Dictionary<string, string> ModuleImagesFromModuleJson(DeploymentTemplate template, DeployRequest request)
    {
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        var folder = Path.GetDirectoryName(Path.GetFullPath(request.ManifestPath))!;
        foreach (var name in template.Placeholders.Where(p => p.StartsWith(ModulesPrefix, StringComparison.Ordinal) && !request.Sets.ContainsKey(p)))
        {
            var module = name[ModulesPrefix.Length..];
            // a module name is one path segment: MODULES.X.debug or a path never reaches outside modules/
            if (module.Contains('.', StringComparison.Ordinal) || module.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0
                || !File.Exists(Path.Combine(folder, "modules", module, "module.json")))
            {
                continue;
            }
            var moduleJson = File.ReadAllText(Path.Combine(folder, "modules", module, "module.json"));
            if (DeploymentTemplate.ImageFromModuleJson(moduleJson, request.Platform,
                key => request.Sets.TryGetValue(key, out var value) ? value : Environment.GetEnvironmentVariable(key)) is { } image)
            {
                images[name] = image;
            }
        }
        return images;
    }

    /// <summary>retailedge-&lt;12 hex&gt; of the template and the images: the same template and images give the same name on every run.</summary>
    private static string DefaultName(string templateText, IReadOnlyDictionary<string, string> images)
    {
        var text = new StringBuilder(templateText);
        foreach (var (key, value) in images.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append('\n').Append(key).Append('=').Append(value);
        }
        return "retailedge-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12];
    }

    private sealed record DeployRequest(string ManifestPath, string? DeviceId, string? TargetCondition, Dictionary<string, string> Sets, string? Name, string Platform, bool DryRun,
        string? ConfigurationId, int Priority);
}
