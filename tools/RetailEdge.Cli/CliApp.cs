using System.CommandLine;

namespace RetailEdge.Cli;

/// <summary>The `retailedge` command tree. Each command group lives in its own file.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad command-line input.</summary>
    public const int UsageError = 2;

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("RetailEdge: store POS and scale events to a lakehouse, through IoT Edge and IoT Hub.");
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(EmulatorCommand.Create());
        root.Subcommands.Add(LakeCommand.Create());
        root.Subcommands.Add(ProcessorCommand.Create());
        root.Subcommands.Add(ReferenceCommand.Create());
        root.Subcommands.Add(FleetCommand.Create());
        root.Subcommands.Add(DeployCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var root = BuildRootCommand();
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // one line naming the problem, exit code 2
            await Console.Error.WriteLineAsync("error: " + parseResult.Errors[0].Message).ConfigureAwait(false);
            return UsageError;
        }
        return await parseResult.InvokeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
