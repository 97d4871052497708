namespace RetailEdge.Contracts.Events;

/// <summary>A POS transaction.</summary>
public sealed record BasketEvent : StoreEvent
{
    public override string Type => StoreEventTypes.Basket;

    public required string LaneId { get; init; }

    /// <summary>One of <see cref="Channels"/>.</summary>
    public required string Channel { get; init; }

    public string? CustomerId { get; init; }

    public required IReadOnlyList<BasketLine> Lines { get; init; }

    public string? Tender { get; init; }

    public decimal Amount
    {
        get
        {
            var sum = 0m;
            foreach (var line in Lines)
            {
                sum += line.Amount;
            }
            return sum;
        }
    }
}
