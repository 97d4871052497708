using System.Collections.Concurrent;
using RetailEdge.Testing;

namespace RetailEdge.IotHub.Tests;

public class ReconnectBackoffTests
{
    [Fact]
    public void Next_DoublesUpToMaxWithinTwentyPercentAndSpreads()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(17));
        var bases = new[] { 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 };
        var delays = bases.Select(_ => backoff.Next().TotalSeconds).ToList();

        for (var i = 0; i < bases.Length; i++)
        {
            Assert.InRange(delays[i], bases[i] * 0.8, Math.Min(30, bases[i] * 1.2));
        }
        // the jitter is there: the delays are not just the doubling base
        Assert.Contains(delays.Zip(bases), d => Math.Abs(d.First - d.Second) > 0.01);
    }

    [Fact]
    public void Next_SameSeedSameStepTwoClients_DifferentDelays()
    {
        var delays = Enumerable.Range(0, 20)
            .Select(seed => new ReconnectBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), new Random(seed)).Next())
            .ToHashSet();

        // twenty clients that lost the hub together do not all come back at the same moment
        Assert.True(delays.Count > 10, $"only {delays.Count} distinct first delays");
    }

    [Fact]
    public void Reset_AfterGrowth_StartsAgainAtMin()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), new Random(3));
        for (var i = 0; i < 6; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.InRange(backoff.Next().TotalMilliseconds, 80, 120);
    }

    [Fact]
    public void Next_ZeroMin_GrowsFromOneMillisecond()
    {
        var backoff = new ReconnectBackoff(TimeSpan.Zero, TimeSpan.FromMilliseconds(8), new Random(5));

        Assert.Equal(TimeSpan.Zero, backoff.Next());
        Assert.InRange(backoff.Next().TotalMilliseconds, 0.8, 1.2);
        Assert.InRange(backoff.Next().TotalMilliseconds, 1.6, 2.4);
    }

    [Fact]
    public async Task OpenAsync_HubUnreachable_RetriesAfterJitteredDelays()
    {
        var time = new DelayRecordingTimeProvider();
        // nothing listens on the port: every attempt is refused at once
        var options = FakeIotHub.LoopbackOptions(FreePort.Next()) with
        {
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
            TimeProvider = time,
        };
        await using var client = new IotHubModuleClient(options);
        using var stop = new CancellationTokenSource();

        var open = client.OpenAsync(stop.Token);
        await Wait.UntilAsync(() => time.Delays.Count >= 20, "twenty connect retries", seconds: 60);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => open);
        var delays = time.Delays.Take(20).Select(d => d.TotalMilliseconds).ToList();
        Assert.All(delays, d => Assert.InRange(d, 80, 100));
        // ±20 % around the capped base: a fleet retrying against the same outage spreads out. Half the draws
        // land above the cap and wait exactly 100 ms, so 20 retries (not 8: 1 run in 256 saw none below it)
        // leave a chance of one in a million that none shows the jitter.
        Assert.True(delays.Distinct().Count() > 1, "every retry waited exactly " + delays[0] + " ms");
    }

    /// <summary>The system clock, remembering how long every delay asked of it was.</summary>
    private sealed class DelayRecordingTimeProvider : TimeProvider
    {
        public ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // the back-off delays are one-shot and short; the connect and operation timeouts are seconds long
            if (period == Timeout.InfiniteTimeSpan && dueTime < TimeSpan.FromSeconds(1))
            {
                Delays.Enqueue(dueTime);
            }
            return System.CreateTimer(callback, state, dueTime, period);
        }
    }
}
