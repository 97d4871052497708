using System.Globalization;

namespace RetailEdge.Cli;

/// <summary>Parsing of the simulate command's durations and start times, with one-line errors.</summary>
internal static class SimulateArguments
{
    /// <summary>
    /// A duration such as 90s, 30m, 1h, 1d, 2d12h (units d, h, m, s, summed), or a TimeSpan such as
    /// 01:30:00. Zero, negative or unparsable values give an error naming the value.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan duration, out string error, string optionName = "--duration")
    {
        duration = TimeSpan.Zero;
        error = string.Empty;
        var value = text.Trim();
        if (value.StartsWith('-'))
        {
            error = $"{optionName} '{text}' is negative: give a positive duration such as 1h or 1d";
            return false;
        }
        if (value.Contains(':', StringComparison.Ordinal))
        {
            if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero)
            {
                return true;
            }
            error = $"{optionName} '{text}' is not a positive duration such as 1h, 1d or 01:30:00";
            return false;
        }
        var i = 0;
        var total = 0.0;
        while (i < value.Length)
        {
            var start = i;
            while (i < value.Length && (char.IsAsciiDigit(value[i]) || value[i] == '.'))
            {
                i++;
            }
            if (i == start || i == value.Length || !double.TryParse(value.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"{optionName} '{text}' is not a duration: use a number with a unit d, h, m or s (e.g. 1h, 1d, 2d12h)";
                return false;
            }
            var unit = char.ToLowerInvariant(value[i++]);
            var seconds = unit switch { 'd' => 86_400.0, 'h' => 3_600.0, 'm' => 60.0, 's' => 1.0, _ => double.NaN };
            if (double.IsNaN(seconds))
            {
                error = $"{optionName} '{text}' has an unknown unit '{value[i - 1]}': use d, h, m or s";
                return false;
            }
            total += number * seconds;
        }
        if (total <= 0)
        {
            error = $"{optionName} '{text}' must be positive";
            return false;
        }
        if (total > 366 * 86_400.0)
        {
            error = $"{optionName} '{text}' is longer than 366 days";
            return false;
        }
        duration = TimeSpan.FromSeconds(total);
        return true;
    }

    /// <summary>
    /// An ISO-8601 start. Without an offset (2026-11-02T06:00:00 or 2026-11-02) it is the wall-clock
    /// time at which every store starts in its own offset; with Z or ±hh:mm it is one instant for all.
    /// </summary>
    public static bool TryParseStart(string text, out DateTimeOffset start, out bool storeLocal, out string error)
    {
        start = default;
        storeLocal = true;
        error = string.Empty;
        var value = text.Trim();
        var hasOffset = value.EndsWith('Z') || value.EndsWith('z') || (value.Length > 10 && value.IndexOf('T', StringComparison.OrdinalIgnoreCase) > 0 && value.Length >= 6 && value[^6] is '+' or '-' && value[^3] == ':');
        if (hasOffset)
        {
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out start))
            {
                storeLocal = false;
                return true;
            }
        }
        else if (DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            start = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeSpan.Zero);
            return true;
        }
        error = $"--start '{text}' is not an ISO-8601 time (e.g. 2026-11-02T00:00:00 for each store's local midnight, or 2026-11-02T05:00:00Z)";
        return false;
    }
}
