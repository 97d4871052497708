namespace RetailEdge.Testing;

/// <summary>
/// Runs JavaScript with Node and the packages installed under .tools/node (mqtt, aedes, azurite,
/// Microsoft's IoT Hub SDKs): an independent peer for protocol tests.
/// </summary>
public static class NodeScript
{
    /// <summary>Writes the script to a temp file and starts it; the caller awaits output or exit.</summary>
    public static ManagedProcess Start(string javaScript, params string[] arguments) => Start(javaScript, null, arguments);

    /// <summary>As <see cref="Start(string, string[])"/>, with extra environment variables (e.g. NODE_EXTRA_CA_CERTS).</summary>
    public static ManagedProcess Start(string javaScript, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        RepoPaths.Require(RepoPaths.NodeModules, "node test packages");
        var file = Path.Combine(Path.GetTempPath(), $"retailedge-{Guid.NewGuid():N}.js");
        File.WriteAllText(file, javaScript);
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["NODE_PATH"] = RepoPaths.NodeModules };
        return ManagedProcess.Start("node", [file, .. arguments], environment: variables);
    }

    /// <summary>Runs a script to completion and returns its output; fails on a non-zero exit.</summary>
    public static Task<string> RunAsync(string javaScript, TimeSpan timeout, params string[] arguments) => RunAsync(javaScript, null, timeout, arguments);

    /// <summary>As <see cref="RunAsync(string, TimeSpan, string[])"/>, with extra environment variables.</summary>
    public static async Task<string> RunAsync(string javaScript, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] arguments)
    {
        await using var process = Start(javaScript, environment, arguments);
        int exitCode;
        try
        {
            exitCode = await process.WaitForExitAsync(timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"node did not finish within {timeout}:\n{process.Output}");
        }
        // let the asynchronous output readers drain
        await Task.Delay(50).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"node exited with {exitCode}:\n{process.Output}");
        }
        return process.Output;
    }
}
