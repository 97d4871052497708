using System.Globalization;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// Reads the start position from the selector filter the Event Hubs clients put on a receiver's
/// source (<c>apache.org:selector-filter:string</c>): <c>amqp.annotation.x-opt-offset &gt; '120'</c>,
/// <c>…x-opt-sequence-number &gt;= 7</c>, <c>…x-opt-enqueued-time &gt; 1700000000000</c> (ms since
/// the epoch), the value quoted or not; offset <c>-1</c> is the earliest event and <c>@latest</c>
/// the next new one. Anything else is refused with the reason, never guessed.
/// </summary>
public static class EventPositionFilter
{
    public const string SelectorFilterName = "apache.org:selector-filter:string";
    public const ulong SelectorFilterCode = 0x0000468C00000004;
    public const ulong SelectorFilterCodeMicrosoft = 0x00000137000000A;
    public const int MaxLength = 256;

    private const string Prefix = "amqp.annotation.";

    public static bool TryParse(string? filter, out EventPosition position, out string error)
    {
        position = EventPosition.Earliest;
        error = string.Empty;
        if (filter is null)
        {
            // no filter: Event Hubs starts at the earliest retained event
            return true;
        }
        if (filter.Length > MaxLength)
        {
            error = $"the selector filter is longer than {MaxLength} characters";
            return false;
        }
        var text = filter.Trim();
        if (!text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            error = "the selector filter must compare amqp.annotation.x-opt-offset, x-opt-sequence-number or x-opt-enqueued-time";
            return false;
        }
        text = text[Prefix.Length..];
        var operatorAt = text.IndexOf('>', StringComparison.Ordinal);
        if (operatorAt < 0)
        {
            error = "the selector filter must use > or >=";
            return false;
        }
        var name = text[..operatorAt].Trim();
        var inclusive = operatorAt + 1 < text.Length && text[operatorAt + 1] == '=';
        var value = text[(operatorAt + (inclusive ? 2 : 1))..].Trim();
        if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
        {
            value = value[1..^1];
        }
        EventPositionKind kind;
        switch (name.ToLowerInvariant())
        {
            case "x-opt-offset":
                if (value == "-1")
                {
                    position = EventPosition.Earliest;
                    return true;
                }
                if (value == "@latest")
                {
                    position = EventPosition.Latest;
                    return true;
                }
                kind = EventPositionKind.Offset;
                break;
            case "x-opt-sequence-number":
                kind = EventPositionKind.SequenceNumber;
                break;
            case "x-opt-enqueued-time":
                kind = EventPositionKind.EnqueuedTime;
                break;
            default:
                error = $"the selector filter compares '{Shorten(name)}', not x-opt-offset, x-opt-sequence-number or x-opt-enqueued-time";
                return false;
        }
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < -1)
        {
            error = $"the selector filter's value '{Shorten(value)}' is not a whole number";
            return false;
        }
        position = new EventPosition(kind, number, inclusive);
        return true;
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
