using System.Text.Json;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// Splits a request body into single events (ARCHITECTURE.md §4: one JSON object, a JSON array, or
/// JSON lines). Each part keeps its exact bytes, which are what the journal and quarantine store. A
/// body that is not a well-formed array stays one part, so the validator gives it its reason. It
/// stops after <c>maxEvents + 1</c> parts, so a caller sees "too many" without the rest being split.
/// </summary>
public static class EventPayload
{
    public const int DefaultMaxEvents = 100_000;

    public static List<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> body, int maxEvents = DefaultMaxEvents)
    {
        var span = body.Span;
        var start = 0;
        while (start < span.Length && IsWhitespace(span[start]))
        {
            start++;
        }
        if (start == span.Length)
        {
            return [];
        }
        if (span[start] == (byte)'[')
        {
            return SplitArray(body, maxEvents) ?? [body];
        }
        var parts = new List<ReadOnlyMemory<byte>>();
        var lineStart = 0;
        for (var i = 0; i <= span.Length; i++)
        {
            if (i == span.Length || span[i] == (byte)'\n')
            {
                var line = body[lineStart..i];
                var trimmed = line.Span.Trim("\r\t "u8);
                if (!trimmed.IsEmpty)
                {
                    var offset = line.Span.IndexOf(trimmed);
                    parts.Add(line.Slice(offset, trimmed.Length));
                    if (parts.Count > maxEvents)
                    {
                        return parts;
                    }
                }
                lineStart = i + 1;
            }
        }
        return parts;
    }

    private static List<ReadOnlyMemory<byte>>? SplitArray(ReadOnlyMemory<byte> body, int maxEvents)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var begin = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                parts.Add(body[begin..end]);
                if (parts.Count > maxEvents)
                {
                    return parts;
                }
            }
            while (reader.Read())
            {
                // trailing content after the array makes the body malformed as a whole
            }
        }
        catch (JsonException)
        {
            return null;
        }
        return parts;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
