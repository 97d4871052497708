using System.Runtime.InteropServices;

namespace RetailEdge.LocalFiles;

/// <summary>
/// The local-folder equivalent of a blob put with <c>If-None-Match: *</c>: publish a fully
/// written temporary file under its final name only if that name is free, atomically.
/// </summary>
/// <remarks>
/// <see cref="File.Move(string, string, bool)"/> with overwrite false is not enough on Unix: .NET
/// checks that the destination is absent and then calls rename(2), which replaces a file that a
/// concurrent writer published in between — two Delta writers could both "win" the same commit
/// version. link(2) fails with EEXIST instead, so exactly one racer publishes. On file systems
/// without hard links the fallback is an O_EXCL create plus copy: still exclusive, but a reader may
/// see the file before its last byte is written.
/// </remarks>
public static partial class LocalFilePublisher
{
    private const int AlreadyExists = 17; // EEXIST on Linux and macOS

    /// <summary>
    /// Moves <paramref name="temporaryPath"/> to <paramref name="targetPath"/> unless the target exists.
    /// Returns false when another file already has the name; the temporary file is then left in place
    /// for the caller to publish under another name or delete.
    /// </summary>
    public static bool TryPublishNoReplace(string temporaryPath, string targetPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(temporaryPath);
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING is atomic and refuses an existing target
            try
            {
                File.Move(temporaryPath, targetPath, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(targetPath))
            {
                return false;
            }
        }
        if (Link(temporaryPath, targetPath) == 0)
        {
            File.Delete(temporaryPath);
            return true;
        }
        var error = Marshal.GetLastPInvokeError();
        if (error == AlreadyExists)
        {
            return false;
        }
        return CopyExclusive(temporaryPath, targetPath);
    }

    private static bool CopyExclusive(string temporaryPath, string targetPath)
    {
        FileStream target;
        try
        {
            target = new FileStream(targetPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (IOException) when (File.Exists(targetPath))
        {
            return false;
        }
        using (target)
        using (var source = new FileStream(temporaryPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            source.CopyTo(target);
            target.Flush(flushToDisk: true);
        }
        File.Delete(temporaryPath);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existingPath, string newPath);
}
