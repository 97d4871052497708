using System.Text;

namespace RetailEdge.IotHub.Credentials;

/// <summary>
/// Form URL encoding as IoT Hub clients use it in SAS tokens and property bags: letters, digits
/// and <c>-_.!*()</c> stay, space becomes <c>+</c>, every other UTF-8 byte becomes <c>%XX</c>.
/// </summary>
/// <remarks>
/// PROTOCOLS.md (device/module MQTT): the SAS resource is URL encoded with lower-case hex by
/// default; upper-case hex (what <c>WebUtility.UrlEncode</c> and Python's <c>quote_plus</c>
/// give) is accepted by every validator because the signature covers the text as sent.
/// </remarks>
public static class IotHubUrlEncoding
{
    private const string LowerHex = "0123456789abcdef";
    private const string UpperHex = "0123456789ABCDEF";

    /// <summary>URL encodes <paramref name="value"/>; <paramref name="lowerCaseHex"/> picks the hex case of escapes.</summary>
    /// <param name="value">the text</param>
    /// <param name="lowerCaseHex">lower-case (default) or upper-case hex in escapes</param>
    /// <param name="spaceAsPlus">
    /// true (form encoding, as in SAS tokens) writes a space as <c>+</c>; false writes <c>%20</c>, which
    /// topic names need because <c>+</c> is an MQTT wildcard (MQTT 3.1.1 §4.7.1, 3.3.2-2)
    /// </param>
    public static string Encode(string value, bool lowerCaseHex = true, bool spaceAsPlus = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!NeedsEncoding(value))
        {
            return value;
        }
        var hex = lowerCaseHex ? LowerHex : UpperHex;
        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (IsUnreserved(b))
            {
                builder.Append((char)b);
            }
            else if (b == (byte)' ' && spaceAsPlus)
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(hex[b >> 4]).Append(hex[b & 0xF]);
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// Decodes <c>%XX</c> escapes (either hex case) and <c>+</c> as space. Returns false for a
    /// truncated or non-hex escape or bytes that are not valid UTF-8, so network input is never
    /// silently altered.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> value, out string decoded)
    {
        if (value.IndexOfAny('%', '+') < 0)
        {
            decoded = value.ToString();
            return true;
        }
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        var count = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '+')
            {
                bytes[count++] = (byte)' ';
            }
            else if (c == '%')
            {
                if (i + 2 >= value.Length || !TryHex(value[i + 1], out var high) || !TryHex(value[i + 2], out var low))
                {
                    decoded = string.Empty;
                    return false;
                }
                bytes[count++] = (byte)((high << 4) | low);
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes[count++] = (byte)c;
            }
            else
            {
                count += Encoding.UTF8.GetBytes(value.Slice(i, char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1), bytes.AsSpan(count));
                if (char.IsHighSurrogate(c))
                {
                    i++;
                }
            }
        }
        try
        {
            decoded = StrictUtf8.GetString(bytes, 0, count);
            return true;
        }
        catch (DecoderFallbackException)
        {
            decoded = string.Empty;
            return false;
        }
    }

    /// <summary>Decodes or throws <see cref="FormatException"/> naming the problem.</summary>
    public static string Decode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryDecode(value, out var decoded)
            ? decoded
            : throw new FormatException("invalid URL encoding (a '%' must be followed by two hex digits of valid UTF-8)");
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool NeedsEncoding(string value)
    {
        foreach (var c in value)
        {
            if (c >= 0x80 || !IsUnreserved((byte)c))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsUnreserved(byte b) =>
        b is >= (byte)'a' and <= (byte)'z'
            or >= (byte)'A' and <= (byte)'Z'
            or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'!' or (byte)'*' or (byte)'(' or (byte)')';

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
