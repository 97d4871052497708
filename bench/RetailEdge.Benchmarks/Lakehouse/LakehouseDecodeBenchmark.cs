using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Silver;

namespace RetailEdge.Benchmarks.Lakehouse;

/// <summary>
/// Bulk decode two ways over the gzip bodies of an N-store day, each up to typed DuckDB staging
/// tables of the silver sections' rows (lineage store_id + seq, then the silver columns):
/// a) the refiner's path — <see cref="BulkBatchScanner"/> on every core writing CSV, DuckDB loading it typed;
/// b) DuckDB's own readers — the bodies written as they are (gzip members, concatenated per file),
///    <c>read_json</c> with the gzip reader, <c>unnest</c> of each section's rows.
/// Row counts and a checksum over every value must be equal, or the benchmark fails.
/// </summary>
public sealed class LakehouseDecodeBenchmark : IBenchmark
{
    /// <summary>Files the bodies are spread over for b): DuckDB reads one gzip stream per thread, so several files let it use every thread.</summary>
    private const int BodyFiles = 8;

    public string Name => "lakehouse-decode";

    public string Description =>
        "bulk decode + explode of bronze bodies: our parallel scanner vs DuckDB read_json over the gzip bodies (args: [stores=10] [profile=reference])";

    public Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var stores = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var profile = args.Length > 1 ? args[1] : "reference";
        var root = Path.Combine(Path.GetTempPath(), $"retailedge-bench-decode-{Guid.NewGuid():N}");
        try
        {
            var watch = Stopwatch.StartNew();
            // the bronze body column: the routed record's body as the gateway sent it (gzip)
            var all = LakehouseBenchData.Batches(profile, stores, TimeSpan.FromDays(1), seed: 3).Select(b => TelemetryBatchCodec.Encode(b, gzip: true)).ToList();
            // the bulk path's share: batches with alerts (or anything else the scan does not admit) take the per-batch path in both designs
            var bodies = all.Where(b => BulkBatchScanner.TryScan(b, TelemetryMessage.GzipContentEncoding) is not null).ToList();
            Console.WriteLine($"input: {stores} {profile} stores × 1 day → {all.Count:N0} gzip bodies, of which {bodies.Count:N0} ({bodies.Sum(b => (long)b.Length) / 1e6:F1} MB) the bulk scan admits "
                + $"(simulated and scanned once in {watch.Elapsed.TotalSeconds:F1} s); {Environment.ProcessorCount} cores, DuckDB threads 2; load average before: {LakehouseScaleBenchmark.LoadAverage()}");
            using var lake = new LakeContext(new LocalLakeStoreFactory(Path.Combine(root, "lake")), TimeProvider.System, Path.Combine(root, "scratch"));
            using var connection = lake.Connect();
            using var self = Process.GetCurrentProcess();
            TimeSpan Cpu() { self.Refresh(); return self.TotalProcessorTime; }

            // warm-up on a few bodies, untimed: JIT and DuckDB's first queries are not what either way costs per row
            ScannerPath(connection, bodies[..Math.Min(200, bodies.Count)], lake.ScratchDirectory, cancellationToken);
            WriteBodies(bodies[..Math.Min(200, bodies.Count)], Path.Combine(root, "warm-up"), out var warmUpFiles);
            ReadJsonPath(connection, warmUpFiles);

            GC.Collect();
            var cpu = Cpu();
            watch.Restart();
            var scanSeconds = ScannerPath(connection, bodies, lake.ScratchDirectory, cancellationToken);
            var scannerSeconds = watch.Elapsed.TotalSeconds;
            var scannerCpu = (Cpu() - cpu).TotalSeconds;

            GC.Collect();
            cpu = Cpu();
            watch.Restart();
            var writeSeconds = WriteBodies(bodies, Path.Combine(root, "bodies"), out var files);
            var writeCpu = (Cpu() - cpu).TotalSeconds;
            var readSeconds = ReadJsonPath(connection, files);
            var readJsonSeconds = watch.Elapsed.TotalSeconds;
            var readJsonCpu = (Cpu() - cpu).TotalSeconds;

            var (scannerRows, readJsonRows) = Compare(connection);
            Probe(connection, root, bodies.First(b => BulkBatchScanner.TryScan(b, TelemetryMessage.GzipContentEncoding)!.SectionRows[0] > 1));
            Console.WriteLine($"a) scanner:   {scannerRows:N0} rows in {scannerSeconds:F2} s = {scannerRows / scannerSeconds:N0} rows/s, {scannerCpu:F2} CPU-s (scan on every core {scanSeconds:F2} s, then DuckDB loads the CSV)");
            Console.WriteLine($"b) read_json: {readJsonRows:N0} rows in {readJsonSeconds:F2} s = {readJsonRows / readJsonSeconds:N0} rows/s, {readJsonCpu:F2} CPU-s "
                + $"(writing the bodies to {BodyFiles} files {writeSeconds:F2} s, {writeCpu:F2} CPU-s; read_json {readSeconds:F2} s; then unnest + casts)");
            Console.WriteLine($"ratio b/a: wall {readJsonSeconds / scannerSeconds:F2}, CPU {readJsonCpu / scannerCpu:F2}; load average after: {LakehouseScaleBenchmark.LoadAverage()}");
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>a) as the refiner does it: scan on every core into per-thread CSV files, DuckDB loads each section typed and joins the lineage.</summary>
    private static double ScannerPath(DuckDBConnection connection, List<byte[]> bodies, string scratch, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var bulk = new BulkSectionFiles(scratch);
        var scans = new ScannedBatch?[bodies.Count];
        Parallel.For(0, bodies.Count, new ParallelOptions { MaxDegreeOfParallelism = new RefinerOptions().DecodeThreads, CancellationToken = cancellationToken },
            bulk.OpenWriter,
            (index, _, writer) =>
            {
                if (BulkBatchScanner.TryScan(bodies[index], TelemetryMessage.GzipContentEncoding, index) is { } scan)
                {
                    writer.Write(scan.SectionLines!);
                    scans[index] = scan with { SectionLines = null };
                }
                return writer;
            },
            writer => writer.Dispose());
        var scanSeconds = watch.Elapsed.TotalSeconds;
        var refused = scans.Count(s => s is null);
        if (refused > 0)
        {
            throw new InvalidOperationException($"the scanner left {refused} simulated bodies to the per-batch path: the comparison would not be like for like");
        }
        connection.Execute("CREATE OR REPLACE TEMP TABLE a_batch (r BIGINT, store_id INTEGER, seq BIGINT)");
        using (var appender = connection.CreateAppender("a_batch"))
        {
            for (var index = 0; index < scans.Length; index++)
            {
                appender.CreateRow().AppendValue((long)index).AppendValue(scans[index]!.StoreId).AppendValue(scans[index]!.Seq).EndRow();
            }
        }
        for (var s = 0; s < BulkBatchScanner.Sections.Count; s++)
        {
            var spec = BulkBatchScanner.Sections[s];
            var from = bulk.FilesOf(s).Count == 0 ? "(" + EmptySection(spec) + ")" : "(" + bulk.ReadSql(s) + ")";
            connection.Execute($"CREATE OR REPLACE TEMP TABLE a_{spec.Name} AS SELECT b.store_id, b.seq, s.* EXCLUDE (r) FROM {from} s JOIN a_batch b ON b.r = s.r");
        }
        return scanSeconds;
    }

    /// <summary>A section no body carries: no rows, the same columns.</summary>
    private static string EmptySection(BulkSectionSpec spec) =>
        "SELECT NULL::BIGINT AS r, " + string.Join(", ", spec.TableColumns.Select(c => $"NULL::{c.DuckDbType} AS {c.Name}")) + " LIMIT 0";

    /// <summary>The bodies as they are, round-robin into gzip files (concatenated gzip members are one gzip stream).</summary>
    private static double WriteBodies(List<byte[]> bodies, string folder, out List<string> files)
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(folder);
        files = [.. Enumerable.Range(0, BodyFiles).Select(i => Path.Combine(folder, $"bodies-{i}.ndjson.gz"))];
        var streams = files.Select(f => new FileStream(f, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20)).ToList();
        try
        {
            for (var i = 0; i < bodies.Count; i++)
            {
                // one body per line: the codec writes no line breaks, so a newline member ends each batch's line
                streams[i % BodyFiles].Write(bodies[i]);
                streams[i % BodyFiles].Write(NewlineMember);
            }
        }
        finally
        {
            streams.ForEach(s => s.Dispose());
        }
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>A gzip member holding "\n" (the bodies are gzip members without a trailing newline).</summary>
    private static readonly byte[] NewlineMember = GzipOf("\n"u8.ToArray());

    private static byte[] GzipOf(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>b) DuckDB reads the gzip files once into the batches' sections, then each section's rows are unnested and cast to the silver types.</summary>
    private static double ReadJsonPath(DuckDBConnection connection, List<string> files)
    {
        var watch = Stopwatch.StartNew();
        var sections = BulkBatchScanner.Sections;
        var columns = "'storeId': 'INTEGER', 'seq': 'BIGINT', " + string.Join(", ", sections.Select(s => DuckDbSql.Literal(s.Name) + ": 'STRUCT(cols VARCHAR[], \"rows\" VARCHAR[][])'"));
        connection.Execute("CREATE OR REPLACE TEMP TABLE b_raw AS SELECT * FROM read_json([" + string.Join(", ", files.Select(DuckDbSql.Literal))
            + $"], format = 'newline_delimited', compression = 'gzip', columns = {{{columns}}})");
        var readSeconds = watch.Elapsed.TotalSeconds;
        foreach (var spec in sections)
        {
            var table = spec.TableColumns;
            var cells = table.Take(spec.Columns.Count).Select((c, i) => $"CAST(cell[{i + 1}] AS {c.DuckDbType}) AS {c.Name}")
                .Append($"CAST(left(cell[{spec.DateColumn + 1}], 10) AS DATE) AS {table[^1].Name}");
            connection.Execute($"CREATE OR REPLACE TEMP TABLE b_{spec.Name} AS SELECT store_id, seq, {string.Join(", ", cells)} "
                + $"FROM (SELECT storeId AS store_id, seq, unnest({spec.Name}.\"rows\") AS cell FROM b_raw WHERE {spec.Name} IS NOT NULL)");
        }
        return readSeconds;
    }

    /// <summary>Per section: row count and the sum of every row's hash over all its values, which must agree between a) and b); the total rows of each.</summary>
    private static (long A, long B) Compare(DuckDBConnection connection)
    {
        var mismatches = new List<string>();
        long rowsA = 0, rowsB = 0;
        foreach (var spec in BulkBatchScanner.Sections)
        {
            var a = Fingerprint(connection, "a_" + spec.Name);
            var b = Fingerprint(connection, "b_" + spec.Name);
            rowsA += a.Rows;
            rowsB += b.Rows;
            Console.WriteLine($"  {spec.Name,-10} rows a {a.Rows,12:N0}  b {b.Rows,12:N0}  checksum a {a.Checksum}  b {b.Checksum}  {(a == b ? "equal" : "DIFFERENT")}");
            if (a != b)
            {
                mismatches.Add(spec.Name);
            }
        }
        if (mismatches.Count > 0)
        {
            throw new InvalidOperationException("the two decodes disagree on: " + string.Join(", ", mismatches));
        }
        Console.WriteLine("both ways give the same rows and values");
        return (rowsA, rowsB);
    }

    /// <summary>
    /// What DuckDB's reader does with bodies the per-batch path refuses with a reason: each case is one
    /// body changed from a good one, read alone with the header columns.
    /// </summary>
    private static void Probe(DuckDBConnection connection, string root, byte[] goodBody)
    {
        var json = System.Text.Encoding.UTF8.GetString(Gunzip(goodBody));
        (string Case, byte[] Body)[] cases =
        [
            ("unchanged", System.Text.Encoding.UTF8.GetBytes(json)),
            ("duplicate key (seq twice)", System.Text.Encoding.UTF8.GetBytes(json.Replace("\"seq\":", "\"seq\":999999,\"seq\":", StringComparison.Ordinal))),
            ("invalid UTF-8 in gateway", [.. System.Text.Encoding.UTF8.GetBytes(json.Replace("\"gateway\":\"", "\"gateway\":\"\u0001", StringComparison.Ordinal))
                .Select(b => b == 1 ? (byte)0xFF : b)]),
            ("unknown schema", System.Text.Encoding.UTF8.GetBytes(json.Replace(TelemetryBatch.SchemaV1, "retailedge.telemetry.v9", StringComparison.Ordinal))),
            ("storeId as a string", System.Text.Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(json, "\"storeId\":(\\d+)", "\"storeId\":\"$1\""))),
            ("items row with one cell", System.Text.Encoding.UTF8.GetBytes(json.Replace("\"rows\":[[", "\"rows\":[[null],[", StringComparison.Ordinal))),
            ("truncated gzip member", goodBody[..(goodBody.Length / 2)]),
        ];
        Console.WriteLine("what the per-batch decoder and read_json do with bodies the decoder quarantines:");
        for (var i = 0; i < cases.Length; i++)
        {
            var file = Path.Combine(root, $"probe-{i}.ndjson.gz");
            var gzip = cases[i].Case.StartsWith("truncated", StringComparison.Ordinal) ? cases[i].Body : GzipOf(cases[i].Body);
            File.WriteAllBytes(file, [.. gzip, .. NewlineMember]);
            var decoded = TelemetryBatchCodec.Decode(gzip, TelemetryMessage.GzipContentEncoding);
            Console.WriteLine($"  {cases[i].Case,-26} per-batch path: {(decoded.Batch is not null ? "decoded" : decoded.Reason + " (" + decoded.Detail + ")")}");
            try
            {
                using var result = connection.Query("SELECT schema, storeId, gateway, seq, len(items.\"rows\"), items.\"rows\"[1][1] FROM read_json(" + DuckDbSql.Literal(file)
                    + ", format = 'newline_delimited', compression = 'gzip', columns = {'schema': 'VARCHAR', 'storeId': 'INTEGER', 'gateway': 'VARCHAR', 'seq': 'BIGINT', "
                    + "'items': 'STRUCT(cols VARCHAR[], \"rows\" VARCHAR[][])'})");
                result.Read();
                Console.WriteLine($"  {"",-26} read_json: schema {result.GetValue(0)}, storeId {result.GetValue(1)}, gateway {Printable(result.GetValue(2))}, "
                    + $"seq {result.GetValue(3)}, items rows {result.GetValue(4)}, first cell {(result.IsDBNull(5) ? "NULL" : result.GetValue(5))}");
            }
            catch (DuckDBException e)
            {
                Console.WriteLine($"  {"",-26} read_json error: {e.Message.Split('\n')[0].Replace(file, "<file>", StringComparison.Ordinal)}");
            }
        }
    }

    private static string Printable(object value) =>
        value is string text ? string.Concat(text.Select(c => char.IsControl(c) || c == '\uFFFD' ? $"\\u{(int)c:X4}" : c.ToString())) : value.ToString() ?? "";

    private static byte[] Gunzip(byte[] body)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static (long Rows, string Checksum) Fingerprint(DuckDBConnection connection, string table)
    {
        using var result = connection.Query($"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM {table} t");
        result.Read();
        return (result.GetInt64(0), result.GetString(1));
    }
}
