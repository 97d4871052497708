using System.Diagnostics;

namespace RetailEdge.Testing;

/// <summary>
/// A real, small file system (a tmpfs of a few MB mounted on a fresh folder) that a test can fill up
/// to the last byte; unmounted on dispose. Mounting needs root (the test machine and containers run
/// as root); without it the test fails with the reason rather than pretend.
/// </summary>
public sealed class SmallFileSystem : IDisposable
{
    private readonly TempDirectory _mountPoint = new("smallfs");

    public SmallFileSystem(long bytes)
    {
        Run("mount", "-t", "tmpfs", "-o", $"size={bytes / 1024}k,mode=0777", "tmpfs", _mountPoint.Path);
    }

    public string Path => _mountPoint.Path;

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Fills the file system with a file of zeros until the kernel says no space is left; returns its path.</summary>
    public string Fill(string name = "filler")
    {
        var path = Combine(name);
        var block = new byte[16 * 1024];
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write);
        try
        {
            while (true)
            {
                file.Write(block);
                file.Flush();
            }
        }
        catch (IOException)
        {
            // ENOSPC: full
        }
        return path;
    }

    public void Dispose()
    {
        try
        {
            Run("umount", "-l", _mountPoint.Path);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _mountPoint.Dispose();
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException(command + " did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Trim()} — a small file system needs root");
        }
    }
}
