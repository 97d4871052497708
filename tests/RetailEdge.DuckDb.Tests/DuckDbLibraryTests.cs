using RetailEdge.DuckDb;
using RetailEdge.Testing;

namespace RetailEdge.DuckDb.Tests;

public sealed class DuckDbLibraryTests : IDisposable
{
    private readonly TempDirectory _directory = new("duckdb-lib");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Locate_EnvironmentSet_WinsOverCandidates()
    {
        var chosen = Touch("chosen/libduckdb.so");
        var other = Touch("other/libduckdb.so");
        Assert.Equal(chosen, DuckDbLibrary.Locate(chosen, [other]));
    }

    [Fact]
    public void Locate_EnvironmentNamesMissingFile_FailsNamingTheVariable()
    {
        var error = Assert.Throws<DllNotFoundException>(() => DuckDbLibrary.Locate(_directory.Combine("missing.so"), [Touch("x/libduckdb.so")]));
        Assert.Contains(DuckDbLibrary.PathVariable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_FirstExistingCandidate_IsUsed()
    {
        var second = Touch("b/libduckdb.so");
        Assert.Equal(second, DuckDbLibrary.Locate(null, [_directory.Combine("a", "libduckdb.so"), second, Touch("c/libduckdb.so")]));
    }

    [Fact]
    public void Locate_NothingFound_NamesFetchScriptAndWhatWasTried()
    {
        var missing = _directory.Combine("nowhere", "libduckdb.so");
        var error = Assert.Throws<DllNotFoundException>(() => DuckDbLibrary.Locate("", [missing]));
        Assert.Contains("scripts/fetch-duckdb.sh", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CopiesLibraryNextToReferencingAssemblies()
    {
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "libduckdb.so")));
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "libduckdb.so"), DuckDbLibrary.LoadedPath);
    }

    private string Touch(string relative)
    {
        var path = _directory.Combine(relative.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0]);
        return path;
    }
}
