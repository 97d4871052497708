namespace RetailEdge.Mqtt;

/// <summary>Topic name and topic filter rules and matching (spec 4.7).</summary>
public static class MqttTopic
{
    /// <summary>The largest UTF-8 string a packet can carry (spec 1.5.3: two-byte length).</summary>
    public const int MaxLength = 65_535;

    /// <summary>A topic name is what a PUBLISH carries: no wildcards (spec 4.7.3, 3.3.2-2).</summary>
    public static bool IsValidTopicName(string? topic) => TopicNameError(topic) is null;

    /// <summary>A filter may use '+' for one whole level and '#' as the whole last level (spec 4.7.1).</summary>
    public static bool IsValidTopicFilter(string? filter) => TopicFilterError(filter) is null;

    /// <summary>Throws <see cref="MqttProtocolException"/> (InvalidTopic) naming the rule broken.</summary>
    public static void ValidateTopicName(string? topic)
    {
        var error = TopicNameError(topic);
        if (error is not null)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidTopic, $"invalid topic name '{Shorten(topic)}': {error}");
        }
    }

    /// <summary>Throws <see cref="MqttProtocolException"/> (InvalidTopic) naming the rule broken.</summary>
    public static void ValidateTopicFilter(string? filter)
    {
        var error = TopicFilterError(filter);
        if (error is not null)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidTopic, $"invalid topic filter '{Shorten(filter)}': {error}");
        }
    }

    /// <summary>
    /// Whether <paramref name="topic"/> matches <paramref name="filter"/>. Both must be valid.
    /// '#' also matches the parent level ("a/#" matches "a"); filters starting with a wildcard
    /// do not match topics starting with '$' (spec 4.7.2).
    /// </summary>
    public static bool Matches(string filter, string topic)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.Length > 0 && topic[0] == '$' && filter.Length > 0 && (filter[0] == '+' || filter[0] == '#'))
        {
            return false;
        }
        var f = filter.AsSpan();
        var t = topic.AsSpan();
        while (true)
        {
            var fEnd = f.IndexOf('/');
            var fLevel = fEnd < 0 ? f : f[..fEnd];
            if (fLevel is "#")
            {
                return true;
            }
            var tEnd = t.IndexOf('/');
            var tLevel = tEnd < 0 ? t : t[..tEnd];
            if (!(fLevel is "+") && !fLevel.SequenceEqual(tLevel))
            {
                return false;
            }
            if (fEnd < 0 || tEnd < 0)
            {
                // both at their last level: a match; filter has more: only "/#" still matches the parent
                if (fEnd < 0 && tEnd < 0)
                {
                    return true;
                }
                return tEnd < 0 && f[(fEnd + 1)..] is "#";
            }
            f = f[(fEnd + 1)..];
            t = t[(tEnd + 1)..];
        }
    }

    private static string? TopicNameError(string? topic)
    {
        var common = CommonError(topic);
        if (common is not null)
        {
            return common;
        }
        return topic!.AsSpan().IndexOfAny('+', '#') >= 0 ? "wildcards are not allowed in a topic name (spec 3.3.2-2)" : null;
    }

    private static string? TopicFilterError(string? filter)
    {
        var common = CommonError(filter);
        if (common is not null)
        {
            return common;
        }
        var span = filter.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            var startsLevel = i == 0 || span[i - 1] == '/';
            var endsLevel = i == span.Length - 1 || span[i + 1] == '/';
            if (c == '#' && (!startsLevel || i != span.Length - 1))
            {
                return "'#' must be the whole last level (spec 4.7.1-2)";
            }
            if (c == '+' && (!startsLevel || !endsLevel))
            {
                return "'+' must occupy a whole level (spec 4.7.1-3)";
            }
        }
        return null;
    }

    private static string? CommonError(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "must be at least one character long (spec 4.7.3-1)";
        }
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            return "must not contain U+0000 (spec 4.7.3-2)";
        }
        if (MqttUtf8.GetByteCountOrMinusOne(value) is < 0 or > MaxLength)
        {
            return "must be well-formed UTF-8 of at most 65535 bytes (spec 4.7.3-3)";
        }
        return null;
    }

    private static string Shorten(string? value) =>
        value is null ? "(null)" : value.Length <= 80 ? value : value[..80] + "…";
}
