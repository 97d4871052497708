namespace RetailEdge.Lakehouse;

/// <summary>
/// One line of a routed file. A line that is not a valid routing record has <see cref="Error"/>
/// set, <see cref="DeviceId"/> null and the raw line as <see cref="Body"/>: it is landed anyway
/// and quarantined by the refiner (nothing is dropped).
/// </summary>
public sealed record RoutedRecord(
    long Line,
    DateTimeOffset? EnqueuedTime,
    string? DeviceId,
    string? ModuleId,
    string? MessageId,
    string? ContentType,
    string? ContentEncoding,
    string? Properties,
    byte[] Body,
    string? Error)
{
    /// <summary>For a malformed line: the reason code and what the lander keeps about it (bronze properties).</summary>
    public RoutedLineFailure? Failure { get; init; }
}
