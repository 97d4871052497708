using RetailEdge.Contracts.Validation;

namespace RetailEdge.Simulator;

/// <summary>
/// The kinds of injected faults (<see cref="SimulatedEvent.Fault"/>) and the reason code a validator
/// must give each (<see cref="ExpectedReason"/>).
/// </summary>
public static class FaultKinds
{
    /// <summary>The same event (same id, same bytes) sent again; the copy must be rejected as duplicate.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>A valid event delayed by seconds to minutes: accepted, arrives after younger events.</summary>
    public const string OutOfOrder = "out_of_order";

    /// <summary>A valid event delayed by minutes to hours: accepted, lands in a closed window.</summary>
    public const string Late = "late";

    /// <summary>An extra event whose bytes are cut short or carry trailing garbage.</summary>
    public const string MalformedJson = "malformed_json";

    /// <summary>An extra event with one required field removed.</summary>
    public const string MissingField = "missing_field";

    /// <summary>An extra event carrying another store's id.</summary>
    public const string WrongStore = "wrong_store";

    /// <summary>An extra event stamped days to years ahead of its arrival.</summary>
    public const string FutureTimestamp = "future_timestamp";

    /// <summary>An extra event larger than 64 KiB (a runaway scanner).</summary>
    public const string Oversized = "oversized";

    /// <summary>An extra event naming an item outside the catalogue (rejected when reference data is loaded).</summary>
    public const string UnknownItem = "unknown_item";

    /// <summary>A valid count that arrives hours after its count time.</summary>
    public const string LateSnapshot = "late_snapshot";

    public static IReadOnlyList<string> All { get; } =
        [Duplicate, OutOfOrder, Late, MalformedJson, MissingField, WrongStore, FutureTimestamp, Oversized, UnknownItem, LateSnapshot];

    /// <summary>
    /// The reason code for a kind, or null when the event must be accepted. A missing field's reason
    /// names the field (missing_field:&lt;name&gt;), so it is given per event in <see cref="SimulatedEvent.ExpectedReason"/>.
    /// </summary>
    public static string? ExpectedReason(string kind) => kind switch
    {
        Duplicate => ReasonCodes.Duplicate,
        MalformedJson => ReasonCodes.MalformedJson,
        MissingField => ReasonCodes.MissingFieldPrefix,
        WrongStore => ReasonCodes.WrongStore,
        FutureTimestamp => ReasonCodes.FutureTimestamp,
        Oversized => ReasonCodes.TooLarge,
        UnknownItem => ReasonCodes.UnknownItem,
        OutOfOrder or Late or LateSnapshot => null,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown fault kind"),
    };
}
