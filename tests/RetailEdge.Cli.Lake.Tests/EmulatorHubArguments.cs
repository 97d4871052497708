namespace RetailEdge.Cli.Lake.Tests;

/// <summary>The `--iothub FILE --iothub-endpoint URL` arguments for an emulator: the connection string in a file only the owner reads, as an operator hands it over.</summary>
internal static class EmulatorHubArguments
{
    public static string[] For(HubEmulator.HubEmulator emulator, string path)
    {
        File.WriteAllText(path, emulator.Registry.ServiceConnectionString() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return ["--iothub", path, "--iothub-endpoint", emulator.RestBaseAddress.ToString()];
    }
}
