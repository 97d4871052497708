namespace RetailEdge.Lakehouse.Hosting;

/// <summary>Spaces calls evenly at a rate (a twin operation every 1/rate seconds), on the given clock.</summary>
internal sealed class TwinRatePacer(double perSecond, TimeProvider timeProvider)
{
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1 / perSecond);
    private readonly Lock _gate = new();
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            var slot = _next > now ? _next : now;
            _next = slot + _interval;
            wait = slot - now;
        }
        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, timeProvider, cancellationToken);
    }
}
