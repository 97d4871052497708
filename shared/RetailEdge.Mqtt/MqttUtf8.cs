using System.Text;

namespace RetailEdge.Mqtt;

/// <summary>UTF-8 strings as MQTT carries them (spec 1.5.3): strict, no U+0000, at most 65535 bytes.</summary>
internal static class MqttUtf8
{
    // throwOnInvalidBytes rejects overlong forms, encoded surrogates and lone surrogates,
    // which spec 1.5.3-1 forbids; no BOM is emitted or stripped (spec 1.5.3-3).
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The UTF-8 byte count, or -1 when the string holds a lone surrogate.</summary>
    public static int GetByteCountOrMinusOne(string value)
    {
        try
        {
            return Strict.GetByteCount(value);
        }
        catch (EncoderFallbackException)
        {
            return -1;
        }
    }

    /// <summary>The encoded length of a string field for writing; throws when it cannot be encoded.</summary>
    public static int GetFieldByteCount(string value, string field)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidUtf8, $"{field} must not contain U+0000 (spec 1.5.3-2)");
        }
        var count = GetByteCountOrMinusOne(value);
        if (count < 0)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidUtf8, $"{field} is not well-formed UTF-16/UTF-8 (spec 1.5.3-1)");
        }
        if (count > MqttTopic.MaxLength)
        {
            throw new MqttProtocolException(MqttProtocolError.MalformedLength, $"{field} is {count} bytes; at most 65535 fit (spec 1.5.3)");
        }
        return count;
    }

    public static int Write(string value, Span<byte> destination) => Strict.GetBytes(value, destination);

    /// <summary>Decodes a string field, rejecting ill-formed UTF-8 and U+0000.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string field)
    {
        string value;
        try
        {
            value = Strict.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidUtf8, $"{field} is not well-formed UTF-8 (spec 1.5.3-1)", ex);
        }
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidUtf8, $"{field} contains U+0000 (spec 1.5.3-2)");
        }
        return value;
    }
}
