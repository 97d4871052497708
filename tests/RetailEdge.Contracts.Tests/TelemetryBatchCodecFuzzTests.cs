using System.Diagnostics;
using System.IO.Compression;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Testing;
using Xunit.Abstractions;

namespace RetailEdge.Contracts.Tests;

/// <summary>
/// The telemetry decoder over raw bytes: random bytes, valid encodings bit-flipped, cut, spliced
/// and repeated, plain and gzip. Decoding never throws and never hangs; whatever it accepts
/// encodes again and decodes to the same key. A few thousand cases here, 100,000 with
/// RETAILEDGE_SOAK=1 (scripts/soak.sh); the seed is printed on failure.
/// </summary>
public sealed class TelemetryBatchCodecFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan SlowestCase = TimeSpan.FromSeconds(5);

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Decode_FuzzedRawBytes_NeverThrowsNorHangs()
    {
        var cases = Soak.Scale(5_000, 100_000);
        var seed = Environment.TickCount;
        var outcome = await Task.Run(() => Run(cases, seed)).WaitAsync(TimeSpan.FromMinutes(Soak.Enabled ? 60 : 5));

        output.WriteLine($"seed {seed}: {cases:N0} cases, {outcome.Accepted:N0} accepted, {outcome.Rejected:N0} rejected, slowest case {outcome.Slowest.TotalMilliseconds:F1} ms");
        Assert.True(outcome.Failure is null, $"seed {seed}: {outcome.Failure}");
        Assert.True(outcome.Slowest < SlowestCase, $"seed {seed}: one case took {outcome.Slowest}");
        Assert.Equal(cases, outcome.Accepted + outcome.Rejected);
        Assert.True(outcome.Accepted > 0 && outcome.Rejected > 0, $"accepted {outcome.Accepted}, rejected {outcome.Rejected}: the mutations should produce both");
    }

    private static FuzzOutcome Run(int cases, int seed)
    {
        var random = new Random(seed);
        var seeds = new[]
        {
            TelemetryBatchCodec.EncodeJson(TelemetryBatchCodecTests.Sample()),
            TelemetryBatchCodec.EncodeJson(TelemetryBatchCodecTests.Sample(1) with { JournalId = "j-1" }),
            TelemetryBatchCodec.EncodeJson(new TelemetryBatch { StoreId = 1, Gateway = "g", Seq = 1, CreatedAt = DateTimeOffset.UnixEpoch }),
        };
        int accepted = 0, rejected = 0;
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < cases; i++)
        {
            var gzip = random.Next(3) == 0;
            var bytes = Mutate(random, seeds[random.Next(seeds.Length)]);
            if (gzip && random.Next(4) != 0)
            {
                bytes = Gzip(bytes);
                if (random.Next(3) == 0)
                {
                    bytes = Flip(random, bytes); // a corrupt gzip stream as well as corrupt JSON inside a good one
                }
            }
            var watch = Stopwatch.StartNew();
            TelemetryDecodeResult result;
            try
            {
                result = TelemetryBatchCodec.Decode(bytes, gzip ? "gzip" : "utf-8");
            }
            catch (Exception e)
            {
                return new FuzzOutcome(accepted, rejected, slowest, $"case {i} threw {e.GetType().Name}: {e.Message} on {Sample(bytes)}");
            }
            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            if (result.Batch is { } batch)
            {
                accepted++;
                var again = TelemetryBatchCodec.Decode(TelemetryBatchCodec.EncodeJson(batch), "utf-8");
                if (again.Batch is not { } copy || copy.Seq != batch.Seq || copy.JournalId != batch.JournalId || copy.RowCount != batch.RowCount)
                {
                    return new FuzzOutcome(accepted, rejected, slowest, $"case {i}: an accepted batch does not survive encode/decode ({again.Reason}: {again.Detail}) on {Sample(bytes)}");
                }
            }
            else if (string.IsNullOrEmpty(result.Reason))
            {
                return new FuzzOutcome(accepted, rejected, slowest, $"case {i}: rejected without a reason on {Sample(bytes)}");
            }
            else
            {
                rejected++;
            }
        }
        return new FuzzOutcome(accepted, rejected, slowest, null);
    }

    /// <summary>One of: raw random bytes, the seed unchanged, bit flips, a cut, a spliced span, a repeated span, a random byte run inserted.</summary>
    internal static byte[] Mutate(Random random, byte[] seed)
    {
        switch (random.Next(7))
        {
            case 0:
                var noise = new byte[random.Next(0, 600)];
                random.NextBytes(noise);
                return noise;
            case 1:
                return seed;
            case 2:
                return Flip(random, seed);
            case 3:
                return seed[..random.Next(seed.Length)];
            case 4:
            {
                var at = random.Next(seed.Length);
                var length = random.Next(1, Math.Min(64, seed.Length - at) + 1);
                var from = random.Next(seed.Length - length + 1);
                var copy = seed.ToArray();
                Array.Copy(seed, from, copy, at, Math.Min(length, copy.Length - at));
                return copy;
            }
            case 5:
            {
                var at = random.Next(seed.Length);
                var length = random.Next(1, Math.Min(40, seed.Length - at) + 1);
                return [.. seed[..(at + length)], .. seed[at..(at + length)], .. seed[(at + length)..]];
            }
            default:
            {
                var at = random.Next(seed.Length + 1);
                var run = new byte[random.Next(1, 16)];
                random.NextBytes(run);
                return [.. seed[..at], .. run, .. seed[at..]];
            }
        }
    }

    private static byte[] Flip(Random random, byte[] bytes)
    {
        var copy = bytes.ToArray();
        for (var n = random.Next(1, 6); n > 0 && copy.Length > 0; n--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }
        return copy;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }

    /// <summary>The failing input for the message, capped: the seed reproduces the whole case.</summary>
    private static string Sample(byte[] bytes) => Convert.ToBase64String(bytes.AsSpan(0, Math.Min(bytes.Length, 3000)));

    private sealed record FuzzOutcome(int Accepted, int Rejected, TimeSpan Slowest, string? Failure);
}
