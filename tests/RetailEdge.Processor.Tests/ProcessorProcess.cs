using RetailEdge.Testing;

namespace RetailEdge.Processor.Tests;

/// <summary>The processor host as a child process: its own build output (same configuration as the tests), with its runtimeconfig and deps.</summary>
internal static class ProcessorProcess
{
    private static string Directory
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            return RepoPaths.Require(Path.Combine(RepoPaths.Root, "cloud", "RetailEdge.Processor", "bin", configuration, "net10.0"), "the processor build output");
        }
    }

    public static ManagedProcess Start(IReadOnlyDictionary<string, string> environment) =>
        ManagedProcess.Start("dotnet", [Path.Combine(Directory, "RetailEdge.Processor.dll")], Directory, environment);
}
