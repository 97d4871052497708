using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RetailEdge.Testing;

/// <summary>A logger factory that keeps every formatted message (and exception text) so tests can inspect logs.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory, ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join('\n', _lines);

    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}: {formatter(state, exception)}";
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                // structured values too: a secret must not hide in a field that the message omits
                line += " | " + string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"));
            }
            if (exception is not null)
            {
                line += " | " + exception;
            }
            lines.Enqueue(line);
        }
    }
}
