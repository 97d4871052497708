using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests;

/// <summary>The expected-partition shortcut: one plain file when every row is in it, a file per partition (and nothing stray) when not.</summary>
public sealed class DataFileWriterTests : IDisposable
{
    private static readonly DeltaSchema Schema = new(
    [
        new DeltaField("id", DeltaType.Long, Nullable: false),
        new DeltaField("day", DeltaType.Date, Nullable: false),
    ]);

    private readonly TempDirectory _directory = new("delta-writer");
    private readonly DuckDBConnection _database = DuckDbConnectionExtensions.OpenInMemory();
    private readonly DuckDBConnection _connection;

    public DataFileWriterTests()
    {
        _connection = TestTables.Connect(_database);
    }

    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
        _directory.Dispose();
    }

    private DataFileWriter NewWriter() => new(new LocalDeltaLogStore(_directory.Combine("t")), _directory.Combine("scratch"), TimeProvider.System);

    private int ParquetFiles() =>
        Directory.Exists(_directory.Combine("t")) ? Directory.GetFiles(_directory.Combine("t"), "*.parquet", SearchOption.AllDirectories).Length : 0;

    [Theory]
    [InlineData("2024-03-01", "2024-03-01", 1)]
    [InlineData("2024-03-01", "2024-03-02", 2)]
    [InlineData("2024-03-02", "2024-03-01", 2)]
    public async Task Write_ExpectedPartition_OneFileWhenRightAFilePerPartitionWhenNot(string firstDay, string lastRowDay, int expectedFiles)
    {
        // 999 rows of the first day, the last row of another (or the same) day
        var rows = $"SELECT range AS id, CASE WHEN range = 999 THEN DATE '{lastRowDay}' ELSE DATE '{firstDay}' END AS day FROM range(1000)";

        var adds = await NewWriter().WriteAsync(_connection, rows, Schema, ["day"], dataChange: true, CancellationToken.None,
            expectedPartition: new Dictionary<string, string?> { ["day"] = "2024-03-01" });

        Assert.Equal(expectedFiles, adds.Count);
        Assert.Equal(expectedFiles, ParquetFiles());
        Assert.Equal(1000, adds.Sum(a => a.ParsedStats!.NumRecords));
        foreach (var add in adds)
        {
            var day = add.PartitionValues["day"];
            var path = Path.Combine(_directory.Combine("t"), DeltaPath.Decode(add.Path));
            var inFile = _connection.Scalar<long>($"SELECT count(*) FROM read_parquet('{path}')");
            var expected = (firstDay == day ? 999 : 0) + (lastRowDay == day ? 1 : 0);
            Assert.Equal(expected, inFile);
            Assert.StartsWith($"day={day}/", add.Path, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Write_ExpectedPartitionWithoutRows_WritesNothing()
    {
        var adds = await NewWriter().WriteAsync(_connection, "SELECT 1 AS id, DATE '2024-03-01' AS day WHERE false", Schema, ["day"], dataChange: true,
            CancellationToken.None, expectedPartition: new Dictionary<string, string?> { ["day"] = "2024-03-01" });

        Assert.Empty(adds);
        Assert.Equal(0, ParquetFiles());
    }
}
