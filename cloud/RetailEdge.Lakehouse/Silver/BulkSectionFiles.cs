using System.Collections.Concurrent;
using System.Globalization;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>
/// The scratch files one bulk refine hands to DuckDB: per section, the tab-separated lines of
/// <see cref="BulkBatchScanner"/>, one file per decoding thread so the threads never share a stream.
/// Deleted with the instance.
/// </summary>
public sealed class BulkSectionFiles : IDisposable
{
    private readonly string _folder;
    private readonly ConcurrentBag<Writer> _writers = [];

    public BulkSectionFiles(string scratchDirectory)
    {
        _folder = Path.Combine(scratchDirectory, "refine-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    /// <summary>A writer for one thread (its files are read once every writer is disposed).</summary>
    public Writer OpenWriter()
    {
        var writer = new Writer(Path.Combine(_folder, Guid.NewGuid().ToString("N")));
        _writers.Add(writer);
        return writer;
    }

    /// <summary>The non-empty files of a section, or none.</summary>
    public IReadOnlyList<string> FilesOf(int section) =>
        [.. _writers.Select(w => w.PathOf(section)).Where(p => File.Exists(p) && new FileInfo(p).Length > 0).Order(StringComparer.Ordinal)];

    /// <summary>DuckDB SQL reading a section's lines typed as its silver table's columns, with <c>r</c> the bronze record index.</summary>
    public string ReadSql(int section)
    {
        var columns = BulkBatchScanner.Sections[section].TableColumns.Select(c => DuckDbSql.Literal(c.Name) + ": " + DuckDbSql.Literal(c.DuckDbType));
        return "SELECT * FROM read_csv([" + string.Join(", ", FilesOf(section).Select(DuckDbSql.Literal)) + "], header = false, delim = '\t', quote = '', "
            + "escape = '', auto_detect = false, columns = {'r': 'BIGINT', " + string.Join(", ", columns) + "})";
    }

    public void Dispose()
    {
        foreach (var writer in _writers)
        {
            writer.Dispose();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // scratch files: the scratch folder goes with the lake context
        }
    }

    /// <summary>Appends a record's section lines to this thread's files.</summary>
    public sealed class Writer : IDisposable
    {
        private readonly string _prefix;
        private readonly FileStream?[] _streams = new FileStream?[BulkBatchScanner.Sections.Count];

        internal Writer(string prefix) => _prefix = prefix;

        internal string PathOf(int section) => _prefix + "." + BulkBatchScanner.Sections[section].Name + ".csv";

        public void Write(IReadOnlyList<byte[]?> sectionLines)
        {
            ArgumentNullException.ThrowIfNull(sectionLines);
            for (var s = 0; s < sectionLines.Count; s++)
            {
                if (sectionLines[s] is not { } line)
                {
                    continue;
                }
                var stream = _streams[s] ??= new FileStream(PathOf(s), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 20);
                stream.Write(line);
            }
        }

        /// <summary>Flushes and closes the files (idempotent).</summary>
        public void Dispose()
        {
            for (var s = 0; s < _streams.Length; s++)
            {
                _streams[s]?.Dispose();
                _streams[s] = null;
            }
        }
    }
}
