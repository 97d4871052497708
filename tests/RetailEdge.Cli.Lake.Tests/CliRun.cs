namespace RetailEdge.Cli.Lake.Tests;

/// <summary>One in-process run of the CLI with stdout and stderr captured.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<CliRun> RunAsync(params string[] args)
    {
        await Gate.WaitAsync();
        var originalOut = Console.Out;
        var originalError = Console.Error;
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            Console.SetOut(output);
            Console.SetError(error);
            var code = await CliApp.RunAsync(args);
            return new CliRun(code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
            Gate.Release();
        }
    }
}
