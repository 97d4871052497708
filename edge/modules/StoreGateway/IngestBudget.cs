namespace StoreGateway;

/// <summary>
/// The global in-flight byte budget of HTTP ingest: request bodies being read or journaled hold a
/// reservation of their size; a request that would take the total beyond the budget is answered 503
/// with Retry-After instead of being buffered, so concurrent large requests cannot exhaust the
/// module's memory (its container has 256 MB).
/// </summary>
public sealed class IngestBudget(long maxBytes)
{
    private long _inFlight;

    public long MaxBytes { get; } = maxBytes;

    /// <summary>Bytes currently reserved (shown in /health).</summary>
    public long InFlightBytes => Interlocked.Read(ref _inFlight);

    /// <summary>Reserves <paramref name="bytes"/>; null when the budget cannot take them now.</summary>
    public Reservation? TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        while (true)
        {
            var current = Interlocked.Read(ref _inFlight);
            if (current + bytes > MaxBytes)
            {
                return null;
            }
            if (Interlocked.CompareExchange(ref _inFlight, current + bytes, current) == current)
            {
                return new Reservation(this, bytes);
            }
        }
    }

    /// <summary>A held part of the budget; disposing returns it.</summary>
    public sealed class Reservation : IDisposable
    {
        private readonly IngestBudget _budget;
        private long _bytes;

        internal Reservation(IngestBudget budget, long bytes)
        {
            _budget = budget;
            _bytes = bytes;
        }

        public void Dispose() => Interlocked.Add(ref _budget._inFlight, -Interlocked.Exchange(ref _bytes, 0));
    }
}
