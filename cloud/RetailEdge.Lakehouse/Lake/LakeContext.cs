using System.Collections.Concurrent;
using RetailEdge.Delta;
using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;

namespace RetailEdge.Lakehouse;

/// <summary>
/// What the jobs share: the lake's stores, one in-process DuckDB (UTC session, bounded threads),
/// the checkpoint codec, the clock and a scratch folder for Parquet files on their way to the store.
/// </summary>
public sealed class LakeContext : IDisposable
{
    private readonly ConcurrentDictionary<string, LakeTable> _tables = new(StringComparer.Ordinal);
    private readonly DuckDbCheckpointCodec _checkpoints;

    public LakeContext(ILakeStoreFactory stores, TimeProvider timeProvider, string? scratchDirectory = null, int duckDbThreads = 2)
    {
        Stores = stores ?? throw new ArgumentNullException(nameof(stores));
        TimeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        ScratchDirectory = scratchDirectory ?? Path.Combine(Path.GetTempPath(), "retailedge-lake-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(ScratchDirectory);
        Database = DuckDbConnectionExtensions.OpenInMemory(duckDbThreads);
        _checkpoints = new DuckDbCheckpointCodec(Database, ScratchDirectory);
    }

    public ILakeStoreFactory Stores { get; }

    public TimeProvider TimeProvider { get; }

    public string ScratchDirectory { get; }

    /// <summary>The in-memory database's first connection: jobs never query on it, they take their own from <see cref="Connect"/>.</summary>
    public DuckDBConnection Database { get; }

    public ICheckpointCodec Checkpoints => _checkpoints;

    public LakeTable Table(LakeTableDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return _tables.GetOrAdd(definition.RelativePath,
            _ => new LakeTable(definition, Stores.Open(definition.RelativePath), _checkpoints, TimeProvider, ScratchDirectory));
    }

    /// <summary>A connection in UTC so that casts of instants never depend on the host's zone.</summary>
    public DuckDBConnection Connect()
    {
        var connection = Database.Connect();
        connection.Execute("SET TimeZone = 'UTC'");
        return connection;
    }

    public void Dispose()
    {
        Database.Dispose();
        try
        {
            Directory.Delete(ScratchDirectory, recursive: true);
        }
        catch (IOException)
        {
            // scratch files are disposable; a locked one is removed with the temp folder later
        }
    }
}
