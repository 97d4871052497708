using System.Globalization;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;

namespace RetailEdge.Aggregation;

/// <summary>
/// The offline alert rules that need reference data (ARCHITECTURE.md §6): low stock once per downward
/// crossing of the safety stock by a counted position, and a POS unit price off the catalogue by more
/// than the tolerance. Alerts wait here, with the tags of the events that raised them, until sealed.
/// </summary>
internal sealed class AlertRules
{
    private readonly HashSet<long> _belowSafety = new();
    private readonly List<TelemetryAlert> _alerts = new();
    private readonly List<long> _tags = new();

    public ReferenceCatalog? Reference { get; set; }

    public bool HasPending => _alerts.Count > 0;

    /// <summary>An item's position changed: re-arms or raises low stock (raised only when <paramref name="emit"/>).</summary>
    public void PositionChanged(long itemId, RunningInventory inventory, StoreEvent storeEvent, long tag, bool emit, GatewaySettings settings)
    {
        // Low stock needs a counted position (an uncounted item's position is only a sum of changes)
        // and a safety stock from reference data; one alert per downward crossing.
        if (Reference is null || !Reference.TryGet(itemId, out var reference) || reference.SafetyStockQuantity <= 0 || !inventory.TryGetCountedPosition(itemId, out var position))
        {
            return;
        }
        if (position >= reference.SafetyStockQuantity)
        {
            _belowSafety.Remove(itemId);
            return;
        }
        if (!_belowSafety.Add(itemId) || !emit || !settings.LowStockAlerts)
        {
            return;
        }
        Raise(new TelemetryAlert(AlertKinds.LowStock, storeEvent.Ts, itemId, new Dictionary<string, string>
        {
            ["eventId"] = storeEvent.Id,
            ["position"] = position.ToString(CultureInfo.InvariantCulture),
            ["safetyStock"] = reference.SafetyStockQuantity.ToString(CultureInfo.InvariantCulture),
        }), tag);
    }

    public void CheckPrice(BasketEvent basket, BasketLine line, long tag, GatewaySettings settings)
    {
        if (Reference is null || !Reference.TryGet(line.ItemId, out var reference) || reference.UnitPrice <= 0)
        {
            return;
        }
        if (line.UnitPrice == reference.UnitPrice && settings.PriceMismatchTolerance >= 0m)
        {
            // The usual case, without the decimal division below (which would give 0).
            return;
        }
        var difference = Math.Abs(line.UnitPrice - reference.UnitPrice) / reference.UnitPrice;
        if (difference <= settings.PriceMismatchTolerance)
        {
            return;
        }
        Raise(new TelemetryAlert(AlertKinds.PriceMismatch, basket.Ts, line.ItemId, new Dictionary<string, string>
        {
            ["eventId"] = basket.Id,
            ["laneId"] = basket.LaneId,
            ["posPrice"] = line.UnitPrice.ToString(CultureInfo.InvariantCulture),
            ["catalogPrice"] = reference.UnitPrice.ToString(CultureInfo.InvariantCulture),
        }), tag);
    }

    /// <summary>The pending alerts and the tags of the events that raised them; none remain pending.</summary>
    public (List<TelemetryAlert> Alerts, long[] Tags) Take()
    {
        var taken = (new List<TelemetryAlert>(_alerts), _tags.ToArray());
        _alerts.Clear();
        _tags.Clear();
        return taken;
    }

    private void Raise(TelemetryAlert alert, long tag)
    {
        _alerts.Add(alert);
        _tags.Add(tag);
    }
}
