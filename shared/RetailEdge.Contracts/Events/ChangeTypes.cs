namespace RetailEdge.Contracts.Events;

/// <summary>
/// Inventory change types and their ids in <c>reference.change_type</c>. Signs (ARCHITECTURE.md §4):
/// sale −, return +, restock +, shrink −, bopis − at the fulfilling store, adjustment ±.
/// </summary>
public static class ChangeTypes
{
    public const string Sale = "sale";
    public const string Return = "return";
    public const string Restock = "restock";
    public const string Shrink = "shrink";
    public const string Bopis = "bopis";
    public const string Adjustment = "adjustment";

    /// <summary>All change types in id order (id = index + 1).</summary>
    public static readonly IReadOnlyList<string> All = [Sale, Return, Restock, Shrink, Bopis, Adjustment];

    /// <summary>Change types an <c>inventory_change</c> event may carry.</summary>
    public static readonly IReadOnlyList<string> NonPos = [Restock, Shrink, Adjustment];

    public static bool IsNonPos(string value) => value is Restock or Shrink or Adjustment;

    public static int IdOf(string changeType)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i] == changeType)
            {
                return i + 1;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(changeType), changeType, "unknown change type");
    }

    /// <summary>
    /// The change type a basket line contributes: bopis for a bopis basket, return for a
    /// negative quantity, otherwise sale.
    /// </summary>
    public static string ForBasketLine(string channel, decimal qty) =>
        channel == Channels.Bopis ? Bopis : qty < 0 ? Return : Sale;

    /// <summary>
    /// The signed effect on stock of a basket line: the line's qty leaves the store (a return's
    /// negative qty comes back).
    /// </summary>
    public static decimal StockEffectOfBasketLine(decimal qty) => -qty;

    /// <summary>
    /// The signed effect on stock of an inventory_change line. Restock lines add their absolute
    /// quantity, shrink lines remove it, adjustments are applied as signed.
    /// </summary>
    public static decimal StockEffectOfChangeLine(string changeType, decimal qty) => changeType switch
    {
        Restock => Math.Abs(qty),
        Shrink => -Math.Abs(qty),
        _ => qty,
    };
}
