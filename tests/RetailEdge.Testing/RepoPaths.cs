namespace RetailEdge.Testing;

/// <summary>Where the repository, its installed test tools and the shared folder are.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root (the folder holding RetailEdge.sln).</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>Tools installed by scripts/setup-tools.sh (node packages, libduckdb).</summary>
    public static string ToolsDirectory => Path.Combine(Root, ".tools");

    /// <summary>node_modules holding azurite, mqtt and aedes.</summary>
    public static string NodeModules => Path.Combine(ToolsDirectory, "node", "node_modules");

    /// <summary>The ../shared folder beside the repository (architecture, golden data).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RetailEdge.sln")))
            {
                return dir.FullName;
            }
            dir = dir.Parent;
        }
        throw new InvalidOperationException("RetailEdge.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Fails with a message naming the setup script when a tool is missing.</summary>
    public static string Require(string path, string what)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new InvalidOperationException($"{what} not found at {path}: run scripts/setup-tools.sh (scripts/test.sh does this).");
        }
        return path;
    }
}
