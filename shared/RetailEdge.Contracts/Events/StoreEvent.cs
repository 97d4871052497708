namespace RetailEdge.Contracts.Events;

/// <summary>
/// A store event (ARCHITECTURE.md §4). <see cref="Id"/> is the idempotency key; <see cref="Ts"/>
/// carries the store's UTC offset, which defines the event's local date.
/// </summary>
public abstract record StoreEvent
{
    public required string Id { get; init; }

    public required int StoreId { get; init; }

    public required DateTimeOffset Ts { get; init; }

    /// <summary>The JSON <c>type</c> discriminator.</summary>
    public abstract string Type { get; }

    /// <summary>The store-local calendar date of the event.</summary>
    public DateOnly LocalDate => DateOnly.FromDateTime(Ts.DateTime);
}
