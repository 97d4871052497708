using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Aggregation;

/// <summary>Cuts the rows of closed windows and inventory rows into batch parts of about the size target, sections in a fixed order.</summary>
internal sealed class BatchCutter(int target)
{
    private Part _current = new();

    public List<Part> Parts { get; } = new();

    public static List<Part> Cut(int target, IReadOnlyList<Window> windows, IReadOnlyList<InventoryPositionRow> inventory)
    {
        var cutter = new BatchCutter(target);
        cutter.AddRows(windows.SelectMany(w => w.ItemRows()), static row => RowSize.Of(row), static part => part.Items);
        cutter.AddRows(windows.SelectMany(w => w.BasketRows()), static row => RowSize.Of(row), static part => part.Baskets);
        cutter.AddRows(windows.SelectMany(w => w.WeighingRows()), static row => RowSize.Of(row), static part => part.Weighings);
        cutter.AddRows(windows.SelectMany(w => w.Snapshots), static row => RowSize.Of(row), static part => part.Snapshots);
        cutter.AddRows(inventory, static row => RowSize.Of(row), static part => part.Inventory);
        cutter.AddRows(windows.SelectMany(w => w.Raw), RowSize.OfRaw, static part => part.Raw);
        if (cutter.Parts.Count == 0 || cutter._current.Bytes > RowSize.Envelope)
        {
            cutter.Parts.Add(cutter._current);
        }
        return cutter.Parts;
    }

    /// <summary>Alerts cut into parts of about the size target (at least one alert per part).</summary>
    public static List<List<TelemetryAlert>> CutAlerts(int target, IReadOnlyList<TelemetryAlert> alerts)
    {
        var parts = new List<List<TelemetryAlert>>();
        var part = new List<TelemetryAlert>();
        var bytes = RowSize.Envelope;
        foreach (var alert in alerts)
        {
            var size = RowSize.Of(alert);
            if (part.Count > 0 && bytes + size > target)
            {
                parts.Add(part);
                part = new List<TelemetryAlert>();
                bytes = RowSize.Envelope;
            }
            part.Add(alert);
            bytes += size;
        }
        parts.Add(part);
        return parts;
    }

    private void AddRows<T>(IEnumerable<T> rows, Func<T, int> size, Func<Part, List<T>> section)
    {
        foreach (var row in rows)
        {
            section(Room(size(row))).Add(row);
        }
    }

    private Part Room(int size)
    {
        if (_current.Bytes > RowSize.Envelope && _current.Bytes + size > target)
        {
            Parts.Add(_current);
            _current = new Part();
        }
        _current.Bytes += size;
        return _current;
    }

    internal sealed class Part
    {
        public int Bytes = RowSize.Envelope;
        public List<ItemWindowRow> Items { get; } = new();
        public List<BasketSummaryRow> Baskets { get; } = new();
        public List<WeighingWindowRow> Weighings { get; } = new();
        public List<SnapshotRow> Snapshots { get; } = new();
        public List<InventoryPositionRow> Inventory { get; } = new();
        public List<string> Raw { get; } = new();
    }
}
