using System.Reflection;
using System.Runtime.InteropServices;
using RetailEdge.DuckDb.Native;

namespace RetailEdge.DuckDb;

/// <summary>
/// Finds and loads the native DuckDB library. Order: the file named by
/// <see cref="PathVariable"/>; the library next to this assembly or the application; then
/// <c>.tools/duckdb/</c> in the nearest folder above the application (the repository layout,
/// filled by <c>scripts/fetch-duckdb.sh</c>).
/// </summary>
public static class DuckDbLibrary
{
    /// <summary>Environment variable naming a libduckdb the user already has.</summary>
    public const string PathVariable = "RETAILEDGE_DUCKDB_LIB";

    private static readonly Lazy<(IntPtr Handle, string Path)> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _resolverRegistered;

    /// <summary>The file the library was loaded from.</summary>
    public static string LoadedPath => EnsureLoaded();

    /// <summary>The version reported by the loaded library, e.g. "v1.5.6".</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Marshal.PtrToStringUTF8(NativeMethods.LibraryVersion()) ?? string.Empty;
        }
    }

    /// <summary>The platform's file name for the library.</summary>
    public static string FileName =>
        OperatingSystem.IsWindows() ? "duckdb.dll" : OperatingSystem.IsMacOS() ? "libduckdb.dylib" : "libduckdb.so";

    /// <summary>Loads the library once; throws <see cref="DllNotFoundException"/> naming what was tried.</summary>
    internal static string EnsureLoaded()
    {
        if (Interlocked.Exchange(ref _resolverRegistered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(DuckDbLibrary).Assembly, Resolve);
        }
        return Loaded.Value.Path;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == NativeMethods.Library ? Loaded.Value.Handle : IntPtr.Zero;

    private static (IntPtr Handle, string Path) Load()
    {
        var path = Locate(Environment.GetEnvironmentVariable(PathVariable), Candidates());
        return (NativeLibrary.Load(path), path);
    }

    /// <summary>The library file to load: the environment override if set (it must exist), else the first existing candidate.</summary>
    internal static string Locate(string? fromEnvironment, IEnumerable<string> candidates)
    {
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new DllNotFoundException($"{PathVariable} names '{fromEnvironment}', which does not exist. Point it at a DuckDB 1.5.6 library or unset it.");
        }
        var tried = new List<string>();
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
            tried.Add(candidate);
        }
        throw new DllNotFoundException(
            $"{FileName} (DuckDB 1.5.6) was not found; tried: {string.Join(", ", tried)}. " +
            $"Run scripts/fetch-duckdb.sh (the build does this when the file is missing) or set {PathVariable} to an existing library.");
    }

    private static IEnumerable<string> Candidates()
    {
        var assemblyDirectory = Path.GetDirectoryName(typeof(DuckDbLibrary).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory))
        {
            yield return Path.Combine(assemblyDirectory, FileName);
        }
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            yield return Path.Combine(directory.FullName, ".tools", "duckdb", FileName);
        }
    }
}
