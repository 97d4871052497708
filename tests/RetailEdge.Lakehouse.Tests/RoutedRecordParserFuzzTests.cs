using System.Diagnostics;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Testing;
using Xunit.Abstractions;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// The routed-record parser over raw bytes: files of random bytes and of valid records cut,
/// flipped, spliced, joined without newlines or with long lines, parsed as streams in random
/// read sizes. Never throws, never hangs, every line is a record or a failure with a reason, no
/// record holds more than the line limit, and the bodies it accepts go through the telemetry
/// decoder without throwing. A few thousand files here, 100,000 with RETAILEDGE_SOAK=1.
/// </summary>
public sealed class RoutedRecordParserFuzzTests(ITestOutputHelper output)
{
    private const int MaxLineBytes = 8 * 1024;

    private static readonly HashSet<string> Reasons = [QuarantineReasons.MalformedRecord, QuarantineReasons.DuplicateKey, QuarantineReasons.LineTooLarge];

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Parse_FuzzedRoutedFiles_NeverThrowsNorHangs()
    {
        var cases = Soak.Scale(3_000, 100_000);
        var seed = Environment.TickCount;
        var outcome = await Task.Run(() => Run(cases, seed)).WaitAsync(TimeSpan.FromMinutes(Soak.Enabled ? 60 : 5));

        output.WriteLine($"seed {seed}: {cases:N0} files, {outcome.Good:N0} records, {outcome.Bad:N0} failures with a reason, slowest file {outcome.Slowest.TotalMilliseconds:F1} ms");
        Assert.True(outcome.Failure is null, $"seed {seed}: {outcome.Failure}");
        Assert.True(outcome.Slowest < TimeSpan.FromSeconds(5), $"seed {seed}: one file took {outcome.Slowest}");
        Assert.True(outcome.Good > 0 && outcome.Bad > 0, $"good {outcome.Good}, bad {outcome.Bad}: the mutations should produce both");
    }

    private static (long Good, long Bad, TimeSpan Slowest, string? Failure) Run(int cases, int seed)
    {
        var random = new Random(seed);
        var enqueued = new DateTimeOffset(2026, 11, 20, 8, 1, 0, TimeSpan.Zero);
        var batch = new TelemetryBatch
        {
            StoreId = 5,
            Gateway = "store005-gw",
            JournalId = "journal-1",
            Seq = 1,
            CreatedAt = enqueued,
            Items = [new ItemWindowRow(enqueued, 1001, "sale", "store", 1, 3, 5.97m, 0)],
        };
        var lines = new[]
        {
            RoutedRecordWriter.Format(batch, batch.Gateway, batch.Module, enqueued, gzip: true),
            RoutedRecordWriter.Format(batch, batch.Gateway, batch.Module, enqueued, gzip: false),
            File.ReadAllBytes(Path.Combine(RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json")),
        };
        long good = 0, bad = 0;
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < cases; i++)
        {
            var file = new List<byte>();
            for (var n = random.Next(0, 6); n > 0; n--)
            {
                var line = Mutate(random, lines[random.Next(lines.Length)]);
                if (random.Next(20) == 0)
                {
                    line = [.. line, .. Enumerable.Repeat((byte)'A', MaxLineBytes + random.Next(1, 3 * MaxLineBytes)), (byte)'\n'];
                }
                file.AddRange(line);
            }
            var bytes = file.ToArray();
            var watch = Stopwatch.StartNew();
            try
            {
                using var stream = new TrickleStream(bytes, random.Next(1, 70_000));
                long previous = 0;
                foreach (var record in RoutedRecordParser.Parse(stream, MaxLineBytes))
                {
                    if (record.Line <= previous)
                    {
                        return (good, bad, slowest, $"case {i}: line {record.Line} after {previous}");
                    }
                    previous = record.Line;
                    if (record.Body.Length > MaxLineBytes)
                    {
                        return (good, bad, slowest, $"case {i}: a record of {record.Body.Length} bytes passed the {MaxLineBytes}-byte line limit");
                    }
                    if (record.Failure is { } failure)
                    {
                        bad++;
                        if (!Reasons.Contains(failure.Reason) || record.DeviceId is not null)
                        {
                            return (good, bad, slowest, $"case {i}: failure '{failure.Reason}' with device '{record.DeviceId}'");
                        }
                    }
                    else
                    {
                        good++;
                        var decoded = TelemetryBatchCodec.Decode(record.Body, record.ContentEncoding);
                        if (decoded.Batch is null && string.IsNullOrEmpty(decoded.Reason))
                        {
                            return (good, bad, slowest, $"case {i}: a body rejected without a reason");
                        }
                    }
                }
            }
            catch (Exception e)
            {
                return (good, bad, slowest, $"case {i} threw {e.GetType().Name}: {e.Message} on {Sample(bytes)}");
            }
            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
        }
        return (good, bad, slowest, null);
    }

    private static byte[] Mutate(Random random, byte[] line)
    {
        switch (random.Next(6))
        {
            case 0:
                var noise = new byte[random.Next(0, 400)];
                random.NextBytes(noise);
                return noise;
            case 1:
            case 2:
                return line;
            case 3:
                return line[..random.Next(line.Length)]; // truncated: the next line joins it
            case 4:
            {
                var copy = line.ToArray();
                for (var n = random.Next(1, 6); n > 0; n--)
                {
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                }
                return copy;
            }
            default:
            {
                var at = random.Next(line.Length);
                var length = random.Next(1, Math.Min(48, line.Length - at) + 1);
                return [.. line[..(at + length)], .. line[at..(at + length)], .. line[(at + length)..]];
            }
        }
    }

    /// <summary>Hands out at most a few bytes per read, like a network stream: lines cross read boundaries anywhere.</summary>
    /// <summary>The failing input for the message, capped: the seed reproduces the whole case.</summary>
    private static string Sample(byte[] bytes) => Convert.ToBase64String(bytes.AsSpan(0, Math.Min(bytes.Length, 3000)));

    private sealed class TrickleStream(byte[] content, int maxRead) : MemoryStream(content, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, maxRead));
    }
}
