namespace RetailEdge.Testing;

/// <summary>
/// Runs JavaScript with Node and the packages installed under .tools/node (mqtt, aedes, azurite):
/// an independent peer for protocol tests.
/// </summary>
public static class NodeScript
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["NODE_PATH"] = RepoPaths.NodeModules,
    };

    /// <summary>Writes the script to a temp file and starts it; the caller awaits output or exit.</summary>
    public static ManagedProcess Start(string javaScript, params string[] arguments)
    {
        RepoPaths.Require(RepoPaths.NodeModules, "node test packages");
        var file = Path.Combine(Path.GetTempPath(), $"retailedge-{Guid.NewGuid():N}.js");
        File.WriteAllText(file, javaScript);
        return ManagedProcess.Start("node", [file, .. arguments], environment: Environment);
    }

    /// <summary>Runs a script to completion and returns its output; fails on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string javaScript, TimeSpan timeout, params string[] arguments)
    {
        await using var process = Start(javaScript, arguments);
        var exitCode = await process.WaitForExitAsync(timeout).ConfigureAwait(false);
        // let the asynchronous output readers drain
        await Task.Delay(50).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"node exited with {exitCode}:\n{process.Output}");
        }
        return process.Output;
    }
}
