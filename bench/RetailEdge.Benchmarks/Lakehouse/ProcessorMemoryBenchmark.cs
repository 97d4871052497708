using System.Diagnostics;
using System.Globalization;
using System.Text;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Lakehouse;
using RetailEdge.Testing;

namespace RetailEdge.Benchmarks.Lakehouse;

/// <summary>
/// Peak memory (RSS, from /usr/bin/time) of `retailedge processor run --once` over one large routed
/// file, as a separate process so that nothing of the benchmark itself is counted: (1) a file
/// holding one line of N MB (the oversize-line case) plus one real batch, (2) a file of N MB of
/// real batches (one line each). Each file is measured twice: landing alone (this benchmark run
/// again as a child with `--land-only`, the lander of the build it was compiled from) and the
/// whole `processor run --once` (land, refine, build). Prints peak RSS and its ratio to the file
/// size. `--cli PATH` measures the processor of another build (e.g. an older commit) on the same files.
/// </summary>
public sealed class ProcessorMemoryBenchmark : IBenchmark
{
    public string Name => "processor-memory";

    public string Description => "peak RSS of processor run --once over a file with one N MB line and a file of N MB of batches (args: [MB=200] [--cli retailedge.dll])";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 3 && args[0] == "--land-only")
        {
            await LandOnlyAsync(args[1], args[2], cancellationToken).ConfigureAwait(false);
            return;
        }
        var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--cli")).ToList();
        var megabytes = positional.Count > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 200;
        var cliIndex = Array.IndexOf(args, "--cli");
        var cli = cliIndex >= 0 ? Path.GetFullPath(args[cliIndex + 1]) : Path.Combine(RepoPaths.Root, "tools", "RetailEdge.Cli", "bin", "Release", "net10.0", "retailedge.dll");
        RepoPaths.Require(cli, "the CLI (dotnet build tools/RetailEdge.Cli -c Release)");
        RepoPaths.Require("/usr/bin/time", "GNU time (Debian package 'time')");
        using var temp = new TempDirectory("processor-memory");
        var bytes = (long)megabytes * 1024 * 1024;

        var longLine = temp.Combine("long-line", "hub", "00", "2026", "11", "20", "08", "01.json");
        var longLineSize = await WriteLongLineFileAsync(longLine, bytes, cancellationToken).ConfigureAwait(false);
        var batches = temp.Combine("batches", "hub", "00", "2026", "11", "20", "08", "01.json");
        var (batchesSize, batchCount) = await WriteBatchesFileAsync(batches, bytes, cancellationToken).ConfigureAwait(false);

        var self = typeof(ProcessorMemoryBenchmark).Assembly.Location;
        Console.WriteLine("landing only (Lander.RunOnceAsync until idle, this build):");
        Report($"one line of {megabytes} MB + 1 batch", longLineSize,
            await MeasureAsync([self, Name, "--land-only", temp.Combine("long-line"), temp.Combine("land-long-line")], cancellationToken).ConfigureAwait(false));
        Report($"{batchCount:N0} batches", batchesSize,
            await MeasureAsync([self, Name, "--land-only", temp.Combine("batches"), temp.Combine("land-batches")], cancellationToken).ConfigureAwait(false));
        Console.WriteLine($"processor run --once (land, refine, build), CLI {cli}:");
        Report($"one line of {megabytes} MB + 1 batch", longLineSize,
            await MeasureAsync([cli, "processor", "run", "--source", temp.Combine("long-line"), "--lake", temp.Combine("lake-long-line"), "--once"], cancellationToken).ConfigureAwait(false));
        Report($"{batchCount:N0} batches", batchesSize,
            await MeasureAsync([cli, "processor", "run", "--source", temp.Combine("batches"), "--lake", temp.Combine("lake-batches"), "--once"], cancellationToken).ConfigureAwait(false));
    }

    private static async Task LandOnlyAsync(string source, string lakeRoot, CancellationToken cancellationToken)
    {
        using var lake = new LakeContext(new LocalLakeStoreFactory(lakeRoot), TimeProvider.System);
        var lander = new Lander(lake, new FolderTelemetrySource(source), new LanderOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger<Lander>.Instance);
        long files = 0, records = 0;
        LandResult result;
        do
        {
            result = await lander.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            files += result.Files;
            records += result.Records;
        }
        while (result.Files > 0);
        Console.WriteLine($"landed {files} files ({records} records)");
    }

    private static void Report(string what, long fileBytes, (long PeakKb, int ExitCode, TimeSpan Elapsed, string Output) run)
    {
        var peakMb = run.PeakKb / 1024.0;
        var fileMb = fileBytes / 1024.0 / 1024.0;
        Console.WriteLine($"  {what,-32} file {fileMb,7:F1} MB  peak RSS {peakMb,7:F0} MB  ratio {peakMb / fileMb,5:F2}x  exit {run.ExitCode}  {run.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"    {run.Output.Trim().Replace("\n", "\n    ", StringComparison.Ordinal)}");
    }

    private static async Task<(long PeakKb, int ExitCode, TimeSpan Elapsed, string Output)> MeasureAsync(string[] dotnetArgs, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/usr/bin/time")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-f", "peak-kb %M", "dotnet", .. dotnetArgs])
        {
            start.ArgumentList.Add(arg);
        }
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/time");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var errorText = await error.ConfigureAwait(false);
        var peak = errorText.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("peak-kb ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("no peak from /usr/bin/time: " + errorText);
        var text = await output.ConfigureAwait(false) + errorText.Replace(peak, string.Empty, StringComparison.Ordinal);
        return (long.Parse(peak["peak-kb ".Length..], CultureInfo.InvariantCulture), process.ExitCode, watch.Elapsed, text);
    }

    /// <summary>A routing record whose base64 Body alone is <paramref name="bytes"/> long, then one real batch; written in chunks.</summary>
    private static async Task<long> WriteLongLineFileAsync(string path, long bytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes("{\"EnqueuedTimeUtc\":\"2026-11-20T08:01:00.0000000Z\",\"Properties\":{},\"SystemProperties\":"
                + "{\"connectionDeviceId\":\"store001-gw\",\"connectionModuleId\":\"StoreGateway\",\"messageId\":\"store001-gw-1\","
                + "\"contentType\":\"application/vnd.retailedge.telemetry+json\",\"contentEncoding\":\"gzip\"},\"Body\":\""), cancellationToken).ConfigureAwait(false);
            var chunk = Encoding.ASCII.GetBytes(new string('A', 1 << 20));
            for (long written = 0; written < bytes; written += chunk.Length)
            {
                await file.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - written)), cancellationToken).ConfigureAwait(false);
            }
            await file.WriteAsync("\"}\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await file.WriteAsync(Line(Batch(2)), cancellationToken).ConfigureAwait(false);
            return file.Length;
        }
    }

    /// <summary>Real batches (20 item rows each, JSON bodies), one routed line each, until the file holds <paramref name="bytes"/>.</summary>
    private static async Task<(long Size, int Batches)> WriteBatchesFileAsync(string path, long bytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using (file.ConfigureAwait(false))
        {
            var seq = 0;
            while (file.Length < bytes)
            {
                await file.WriteAsync(Line(Batch(++seq)), cancellationToken).ConfigureAwait(false);
            }
            return (file.Length, seq);
        }
    }

    private static TelemetryBatch Batch(long seq)
    {
        var window = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.FromHours(1)).AddMinutes(seq % 600);
        return new TelemetryBatch
        {
            StoreId = 1,
            Gateway = "store001-gw",
            JournalId = "bench",
            Seq = seq,
            CreatedAt = window.AddMinutes(1),
            Items = [.. Enumerable.Range(0, 20).Select(i => new ItemWindowRow(window, 1000 + i, "sale", "store", 2, 3, 5.97m, 0))],
        };
    }

    private static byte[] Line(TelemetryBatch batch) =>
        RoutedRecordWriter.Format(batch, batch.Gateway, batch.Module, new DateTimeOffset(2026, 11, 20, 8, 1, 0, TimeSpan.Zero), gzip: false);
}
