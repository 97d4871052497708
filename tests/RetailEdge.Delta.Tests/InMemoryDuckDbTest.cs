using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests;

/// <summary>A test class's scratch folder, in-memory DuckDB database and a connection to it, disposed together.</summary>
public abstract class InMemoryDuckDbTest : IDisposable
{
    protected InMemoryDuckDbTest(string scratchName)
    {
        Scratch = new TempDirectory(scratchName);
        Database = DuckDbConnectionExtensions.OpenInMemory();
        Connection = TestTables.Connect(Database);
    }

    protected TempDirectory Scratch { get; }

    protected DuckDBConnection Database { get; }

    protected DuckDBConnection Connection { get; }

    public void Dispose()
    {
        Connection.Dispose();
        Database.Dispose();
        Scratch.Dispose();
        GC.SuppressFinalize(this);
    }
}
