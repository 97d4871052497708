using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>
/// The engine's warnings during a run with the second of the run they came at, so a slow slice can be
/// read next to what the writer was doing then (its slow-turn warning says where the time went).
/// </summary>
internal sealed class WarningRecorder<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(double AtSeconds, string Message)> _warnings = new();
    private long _started = Stopwatch.GetTimestamp();

    public IReadOnlyCollection<(double AtSeconds, string Message)> Warnings => _warnings;

    /// <summary>Counts seconds from now on and forgets what came before (the warm-up).</summary>
    public void Restart()
    {
        _warnings.Clear();
        _started = Stopwatch.GetTimestamp();
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _warnings.Enqueue((Stopwatch.GetElapsedTime(_started).TotalSeconds, formatter(state, exception)));
        }
    }
}
