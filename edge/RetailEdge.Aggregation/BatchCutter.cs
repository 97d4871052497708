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
        foreach (var window in windows)
        {
            foreach (var row in window.ItemRows())
            {
                cutter.Room(RowSize.Of(row)).Items.Add(row);
            }
        }
        foreach (var window in windows)
        {
            foreach (var row in window.Baskets)
            {
                cutter.Room(RowSize.Of(row)).Baskets.Add(row);
            }
        }
        foreach (var window in windows)
        {
            foreach (var row in window.WeighingRows())
            {
                cutter.Room(RowSize.Of(row)).Weighings.Add(row);
            }
        }
        foreach (var window in windows)
        {
            foreach (var row in window.Snapshots)
            {
                cutter.Room(RowSize.Of(row)).Snapshots.Add(row);
            }
        }
        foreach (var row in inventory)
        {
            cutter.Room(RowSize.Of(row)).Inventory.Add(row);
        }
        foreach (var window in windows)
        {
            foreach (var raw in window.Raw)
            {
                cutter.Room(RowSize.OfRaw(raw)).Raw.Add(raw);
            }
        }
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
