namespace RetailEdge.Processor;

/// <summary>What /health reports: healthy while cycles succeed (or before the first one has had time to finish).</summary>
public sealed class ProcessorHealth
{
    private readonly TimeProvider _timeProvider;
    private readonly DateTimeOffset _startedAt;
    private DateTimeOffset? _lastSuccess;
    private string? _lastError;
    private long _cycles;
    private readonly Lock _gate = new();

    public ProcessorHealth(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _startedAt = timeProvider.GetUtcNow();
    }

    public void Succeeded()
    {
        lock (_gate)
        {
            _lastSuccess = _timeProvider.GetUtcNow();
            _lastError = null;
            _cycles++;
        }
    }

    public void Failed(string error)
    {
        lock (_gate)
        {
            _lastError = error;
        }
    }

    /// <summary>Healthy when the last cycle succeeded within <paramref name="staleAfter"/> (or the process is younger than that).</summary>
    public (bool Healthy, ProcessorHealthReport Report) Check(TimeSpan staleAfter)
    {
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            var reference = _lastSuccess ?? _startedAt;
            var healthy = _lastError is null && now - reference <= staleAfter;
            return (healthy, new ProcessorHealthReport(healthy ? "healthy" : "unhealthy", _startedAt, _lastSuccess, _lastError, _cycles));
        }
    }
}
