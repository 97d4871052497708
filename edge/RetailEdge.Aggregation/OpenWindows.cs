namespace RetailEdge.Aggregation;

/// <summary>
/// The open tumbling windows, ordered by start: finds an event's window (aligned to whole minutes of
/// the store's local clock, keeping the events' offset, §5) and hands out the windows a watermark has
/// passed. Closing moves a window out whole, so it costs nothing per event. It remembers the windows
/// sealed in the last <see cref="SealedMemory"/>, so that an event for one of them is known to be a
/// late partial row (a window never sealed — a backlog arriving after an outage — is not late).
/// </summary>
internal sealed class OpenWindows
{
    private readonly SortedDictionary<WindowKey, Window> _open = new();
    // A lower bound of the lengths of the open windows (lengths differ only after a settings change):
    // with the windows ordered by start, the scan for closed windows stops at the first one that
    // cannot have ended yet, instead of visiting every open window on every seal.
    private long _minOpenLengthTicks;
    private readonly SortedSet<WindowKey> _sealed = new();
    // Lane and customer ids repeat across baskets: one copy for all open windows (bounded).
    private readonly StringPool _strings = new(StringPoolCapacity);

    private const int StringPoolCapacity = 16_384;

    /// <summary>How long sealed windows are remembered (after that, a late event's row is sealed like any other).</summary>
    public static readonly TimeSpan SealedMemory = TimeSpan.FromDays(1);

    public int Count => _open.Count;

    /// <summary>The window of an event at <paramref name="ts"/> of <paramref name="length"/>; a new one is late when that window was sealed before.</summary>
    public Window Of(DateTimeOffset ts, TimeSpan length, DateTimeOffset receivedAt)
    {
        var (key, start) = KeyOf(ts, length);
        if (!_open.TryGetValue(key, out var window))
        {
            _minOpenLengthTicks = _open.Count == 0 ? length.Ticks : Math.Min(_minOpenLengthTicks, length.Ticks);
            window = new Window(start, length, receivedAt, late: _sealed.Contains(key), _strings);
            _open[key] = window;
        }
        else if (receivedAt < window.FirstReceivedAt)
        {
            window.FirstReceivedAt = receivedAt;
        }
        return window;
    }

    /// <summary>An event already sealed (replayed after a restart): its window counts as sealed.</summary>
    public void MarkSealed(DateTimeOffset ts, TimeSpan length) => _sealed.Add(KeyOf(ts, length).Key);

    private static (WindowKey Key, DateTimeOffset Start) KeyOf(DateTimeOffset ts, TimeSpan length)
    {
        var localTicks = ts.DateTime.Ticks;
        var start = new DateTimeOffset(localTicks - localTicks % length.Ticks, ts.Offset);
        return (new WindowKey(start.UtcTicks, ts.Offset.Ticks), start);
    }

    /// <summary>Removes and returns the windows that end at or before <paramref name="endTicks"/> (all of them when <paramref name="all"/>).</summary>
    public List<Window> Close(long endTicks, bool all)
    {
        var closed = new List<Window>();
        if (_open.Count == 0)
        {
            return closed;
        }
        List<WindowKey>? keys = null;
        foreach (var (key, window) in _open)
        {
            if (!all && key.StartUtcTicks + _minOpenLengthTicks > endTicks)
            {
                // This window and every later one (keys are ordered by start) end after the watermark.
                break;
            }
            if (!all && (window.Start + window.Length).UtcTicks > endTicks)
            {
                // Keys are ordered by start, but lengths may differ after a settings change: keep scanning.
                continue;
            }
            (keys ??= new List<WindowKey>()).Add(key);
            closed.Add(window);
        }
        if (keys is not null)
        {
            foreach (var key in keys)
            {
                _open.Remove(key);
                _sealed.Add(key);
            }
        }
        var forgetBefore = endTicks - SealedMemory.Ticks;
        while (_sealed.Count > 0 && _sealed.Min.StartUtcTicks < forgetBefore)
        {
            _sealed.Remove(_sealed.Min);
        }
        return closed;
    }
}
