namespace RetailEdge.Aggregation;

/// <summary>
/// The open tumbling windows, ordered by start: finds an event's window (aligned to whole minutes of
/// the store's local clock, keeping the events' offset, §5) and hands out the windows a watermark has
/// passed. Closing moves a window out whole, so it costs nothing per event.
/// </summary>
internal sealed class OpenWindows
{
    private readonly SortedDictionary<WindowKey, Window> _open = new();
    // A lower bound of the lengths of the open windows (lengths differ only after a settings change):
    // with the windows ordered by start, the scan for closed windows stops at the first one that
    // cannot have ended yet, instead of visiting every open window on every seal.
    private long _minOpenLengthTicks;

    public int Count => _open.Count;

    /// <summary>
    /// The window of an event at <paramref name="ts"/> of <paramref name="length"/>; a new one is late
    /// when the watermark already passed its seal point (<paramref name="sealedUpToTicks"/>: windows ending
    /// at or before it are sealed).
    /// </summary>
    public Window Of(DateTimeOffset ts, TimeSpan length, DateTimeOffset receivedAt, long sealedUpToTicks)
    {
        var lengthTicks = length.Ticks;
        var localTicks = ts.DateTime.Ticks;
        var start = new DateTimeOffset(localTicks - localTicks % lengthTicks, ts.Offset);
        var key = new WindowKey(start.UtcTicks, ts.Offset.Ticks);
        if (!_open.TryGetValue(key, out var window))
        {
            _minOpenLengthTicks = _open.Count == 0 ? lengthTicks : Math.Min(_minOpenLengthTicks, lengthTicks);
            window = new Window(start, length, receivedAt, late: start.UtcTicks + lengthTicks <= sealedUpToTicks);
            _open[key] = window;
        }
        else if (receivedAt < window.FirstReceivedAt)
        {
            window.FirstReceivedAt = receivedAt;
        }
        return window;
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
            }
        }
        return closed;
    }
}
