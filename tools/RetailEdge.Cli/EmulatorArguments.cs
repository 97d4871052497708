using System.Globalization;
using System.Net;

namespace RetailEdge.Cli;

/// <summary>Parsing of the emulator command's endpoint and duration arguments, with messages naming the flag.</summary>
public static class EmulatorArguments
{
    /// <summary>"127.0.0.1:1883" (an IP address and a port; port 0 picks a free one).</summary>
    public static bool TryParseEndPoint(string text, string flag, out IPEndPoint endPoint, out string error)
    {
        endPoint = null!;
        if (!IPEndPoint.TryParse(text ?? string.Empty, out var parsed) || !(text ?? string.Empty).Contains(':', StringComparison.Ordinal))
        {
            error = $"{flag} '{text}' is not an address:port such as 127.0.0.1:1883";
            return false;
        }
        endPoint = parsed;
        error = string.Empty;
        return true;
    }

    /// <summary>Durations like 500ms, 10s, 2m, 1h (or a TimeSpan such as 00:00:10).</summary>
    public static bool TryParseInterval(string text, string flag, out TimeSpan interval, out string error)
    {
        interval = TimeSpan.Zero;
        error = $"{flag} '{text}' is not a duration such as 500ms, 10s, 2m, 1h or 1d";
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        text = text.Trim();
        var units = new (string Suffix, Func<double, TimeSpan> Make)[]
        {
            ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours), ("d", TimeSpan.FromDays),
        };
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                interval = make(value);
                error = string.Empty;
                return true;
            }
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            interval = span;
            error = string.Empty;
            return true;
        }
        return false;
    }
}
