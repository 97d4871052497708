using RetailEdge.Contracts.Events;

namespace RetailEdge.Contracts.Validation;

/// <summary>The outcome for one event: the parsed event, or a reason code (and a human detail).</summary>
public readonly record struct ValidationResult(StoreEvent? Event, string? Reason, string? Detail)
{
    public bool IsValid => Event is not null && Reason is null;

    /// <summary>The event id, when it could be read even though the event was rejected.</summary>
    public string? EventId { get; init; }

    public static ValidationResult Valid(StoreEvent storeEvent) => new(storeEvent, null, null) { EventId = storeEvent.Id };

    public static ValidationResult Rejected(string reason, string? detail = null, string? eventId = null) =>
        new(null, reason, detail) { EventId = eventId };
}
