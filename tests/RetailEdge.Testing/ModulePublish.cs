using System.Text.Json;
using System.Text.RegularExpressions;

namespace RetailEdge.Testing;

/// <summary>
/// The StoreGateway module as it ships: published with the very <c>dotnet publish</c> arguments of its amd64
/// Dockerfile, and run with the process environment the deployment manifest gives it. Used by the module's
/// process tests and by the gateway-day benchmark, so both exercise the shipped form, not a debug build.
/// </summary>
public static partial class ModulePublish
{
    public static string ModuleFolder => Path.Combine(RepoPaths.Root, "edge", "modules", "StoreGateway");

    /// <summary>
    /// The arguments after the project path in the module Dockerfile's <c>RUN dotnet publish PROJECT ...</c>
    /// (amd64 unless named), without its <c>-o</c> output folder: configuration, runtime identifier, framework-dependence.
    /// </summary>
    public static IReadOnlyList<string> DockerfileArguments(string dockerfile = "Dockerfile.amd64")
    {
        var match = PublishLine().Match(File.ReadAllText(Path.Combine(ModuleFolder, dockerfile)));
        if (!match.Success)
        {
            throw new InvalidOperationException(dockerfile + " has no 'RUN dotnet publish <project> ...' line");
        }
        var words = match.Groups["arguments"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var output = words.FindIndex(w => w is "-o" or "--output");
        if (output >= 0)
        {
            words.RemoveRange(output, 2);
        }
        return words;
    }

    /// <summary>
    /// Publishes <paramref name="project"/> (a path under the repository) with the Dockerfile's arguments into
    /// <paramref name="output"/>; its builds go to <c>OUTPUT.artifacts</c>, never into the projects' bin and obj
    /// folders, which builds and tests running beside it use.
    /// </summary>
    public static async Task PublishAsync(string project, string output, string dockerfile = "Dockerfile.amd64")
    {
        string[] arguments = ["publish", Path.Combine(RepoPaths.Root, project), .. DockerfileArguments(dockerfile), "-o", output,
            "--artifacts-path", output.TrimEnd(Path.DirectorySeparatorChar) + ".artifacts", "-nologo"];
        await using var process = ManagedProcess.Start("dotnet", arguments, RepoPaths.Root);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} exited with {exitCode}:\n{process.Output}");
        }
    }

    /// <summary>
    /// The process environment the deployment manifest (edge/deployment.template.json) gives the StoreGateway
    /// module besides its own <c>StoreGateway__</c> options: the runtime's and the C library's settings.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DeploymentRuntimeEnvironment()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "edge", "deployment.template.json")));
        var env = manifest.RootElement.GetProperty("modulesContent").GetProperty("$edgeAgent").GetProperty("properties.desired")
            .GetProperty("modules").GetProperty("StoreGateway").GetProperty("env");
        return env.EnumerateObject().Where(v => !v.Name.StartsWith("StoreGateway__", StringComparison.Ordinal))
            .ToDictionary(v => v.Name, v => v.Value.GetProperty("value").GetString() ?? "", StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^RUN dotnet publish (?<project>\S+)(?<arguments>[^\r\n]*)$", RegexOptions.Multiline)]
    private static partial Regex PublishLine();
}
