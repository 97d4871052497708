namespace RetailEdge.Aggregation.Tests;

public class RunningInventoryTests
{
    private static readonly DateTimeOffset T0 = Events.Day;

    [Fact]
    public void ApplyChange_NeverCounted_SumsAllChanges()
    {
        var inventory = new RunningInventory();
        inventory.ApplyChange(1, T0, 10m);
        inventory.ApplyChange(1, T0.AddMinutes(5), -3m);
        var row = inventory.Row(1)!;
        Assert.Equal(7m, row.Position);
        Assert.Null(row.LastCountAt);
        Assert.Equal(T0.AddMinutes(5), row.AsOf);
    }

    [Fact]
    public void ApplyCount_LateNewerCount_RecomputesFromChangesAtOrAfterIt()
    {
        var inventory = new RunningInventory();
        inventory.ApplyCount(1, T0, 100m);
        inventory.ApplyChange(1, T0.AddMinutes(1), -5m);
        inventory.ApplyChange(1, T0.AddMinutes(10), -7m);
        inventory.ApplyChange(1, T0.AddMinutes(20), -1m);
        // A count taken at minute 10 arrives late: the change at exactly minute 10 counts (ts ≥ count time).
        Assert.True(inventory.ApplyCount(1, T0.AddMinutes(10), 50m));
        Assert.Equal(42m, inventory.PositionOf(1));
        // An older count never replaces the newer one.
        Assert.False(inventory.ApplyCount(1, T0.AddMinutes(2), 999m));
        // A late change before the count changes nothing; after it, it adds.
        Assert.False(inventory.ApplyChange(1, T0.AddMinutes(9), -100m));
        Assert.True(inventory.ApplyChange(1, T0.AddMinutes(11), 3m));
        Assert.Equal(45m, inventory.PositionOf(1));
    }

    [Fact]
    public void Apply_RandomArrivalOrder_EqualsLatestCountPlusChangesSince()
    {
        var random = new Random(42);
        for (var round = 0; round < 50; round++)
        {
            var ops = new List<(bool IsCount, DateTimeOffset Ts, decimal Qty)>();
            for (var i = 0; i < 40; i++)
            {
                var ts = T0.AddMinutes(random.Next(0, 600));
                ops.Add(random.Next(6) == 0 ? (true, ts, random.Next(0, 200)) : (false, ts, random.Next(-10, 10)));
            }
            var inventory = new RunningInventory();
            foreach (var op in ops.OrderBy(_ => random.Next()))
            {
                if (op.IsCount)
                {
                    inventory.ApplyCount(7, op.Ts, op.Qty);
                }
                else
                {
                    inventory.ApplyChange(7, op.Ts, op.Qty);
                }
            }
            var counts = ops.Where(o => o.IsCount).ToList();
            var latest = counts.Count == 0 ? ((DateTimeOffset?)null, 0m) : (counts.Max(c => c.Ts), 0m);
            decimal expected;
            if (latest.Item1 is { } countAt)
            {
                // Two counts at the same time: the one applied last wins; make the expectation order-free by
                // skipping rounds with tied latest counts.
                var atLatest = counts.Where(c => c.Ts == countAt).ToList();
                if (atLatest.Select(c => c.Qty).Distinct().Count() > 1)
                {
                    continue;
                }
                expected = atLatest[0].Qty + ops.Where(o => !o.IsCount && o.Ts >= countAt).Sum(o => o.Qty);
            }
            else
            {
                expected = ops.Sum(o => o.Qty);
            }
            Assert.Equal(expected, inventory.PositionOf(7));
        }
    }

    [Fact]
    public void ApplyChange_ThousandsOfChanges_KeepsABoundedNumberAndTheExactSum()
    {
        var inventory = new RunningInventory();
        var random = new Random(7);
        var expected = 0m;
        for (var i = 0; i < 10_000; i++)
        {
            // Mostly in ts order, some a few seconds late, as a busy gateway receives them.
            var effect = -random.Next(1, 4) + (random.Next(10) == 0 ? 0.125m : 0m);
            inventory.ApplyChange(3, T0.AddMilliseconds(i * 100 - random.Next(0, 3000)), effect);
            expected += effect;
            Assert.True(inventory.ExactChangesOf(3) < 2 * RunningInventory.ExactChangesPerItem);
        }
        Assert.Equal(expected, inventory.PositionOf(3));
    }

    [Fact]
    public void ApplyCount_NewerThanEveryFoldedChange_IsExact()
    {
        var inventory = new RunningInventory();
        var changes = new List<(DateTimeOffset Ts, decimal Effect)>();
        for (var i = 0; i < 1_000; i++)
        {
            var change = (T0.AddSeconds(i), (decimal)-(i % 3 + 1));
            changes.Add(change);
            inventory.ApplyChange(3, change.Item1, change.Item2);
        }
        // Among the newest changes, which are kept one by one: the changes at or after it count.
        var countAt = T0.AddSeconds(1_000 - RunningInventory.ExactChangesPerItem / 2);
        Assert.True(inventory.ApplyCount(3, countAt, 500m));
        Assert.Equal(500m + changes.Where(c => c.Ts >= countAt).Sum(c => c.Effect), inventory.PositionOf(3));
        Assert.Equal(0, inventory.CountsAmongFolded);
        // A later change after the count adds; the next fold still keeps the sum.
        for (var i = 0; i < 500; i++)
        {
            inventory.ApplyChange(3, T0.AddSeconds(2_000 + i), 1m);
        }
        Assert.Equal(500m + changes.Where(c => c.Ts >= countAt).Sum(c => c.Effect) + 500m, inventory.PositionOf(3));
    }

    [Fact]
    public void ApplyCount_AmongFoldedChanges_AppliedAfterThemAndCounted()
    {
        var inventory = new RunningInventory();
        for (var i = 0; i < 1_000; i++)
        {
            inventory.ApplyChange(3, T0.AddSeconds(i), -1m);
        }
        // Taken at second 100, long folded: the changes kept one by one after it still count, the folded ones do not.
        Assert.True(inventory.ApplyCount(3, T0.AddSeconds(100), 2_000m));
        Assert.Equal(1, inventory.CountsAmongFolded);
        Assert.Equal(2_000m - inventory.ExactChangesOf(3), inventory.PositionOf(3));
        Assert.True(inventory.ExactChangesOf(3) >= RunningInventory.ExactChangesPerItem);
    }
}
