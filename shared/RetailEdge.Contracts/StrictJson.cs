using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace RetailEdge.Contracts;

/// <summary>
/// Parses JSON from the network with duplicate property names refused: an object with two
/// <c>seq</c> or two <c>Body</c> members is ambiguous (readers disagree on which one wins), so
/// it is rejected with its own reason instead of being read last-key-wins. The one parser of
/// untrusted JSON documents: events, telemetry batches and routed records all come through here.
/// </summary>
public static class StrictJson
{
    /// <summary>
    /// The document, or null with <paramref name="error"/>; <paramref name="duplicateKey"/> tells valid
    /// JSON that repeats a member from a syntax error. <paramref name="rejectDuplicateKeys"/> false
    /// reads last-key-wins (for data accepted before the rule existed). Never throws on any bytes.
    /// </summary>
    public static JsonDocument? TryParse(ReadOnlyMemory<byte> json, int maxDepth, out bool duplicateKey, out string? error, bool rejectDuplicateKeys = true)
    {
        duplicateKey = false;
        // JSON text is UTF-8 (RFC 8259 §8.1); the reader transcodes strings only when they are read,
        // so bytes that are not UTF-8 would throw later, in the middle of a caller's field: refuse them here.
        if (!Utf8.IsValid(json.Span))
        {
            error = InvalidUtf8Detail(json.Span);
            return null;
        }
        try
        {
            error = null;
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = !rejectDuplicateKeys });
        }
        catch (JsonException e)
        {
            error = e.Message;
        }
        catch (InvalidOperationException e)
        {
            // The duplicate check decodes property names; an escaped lone surrogate in one is not text.
            error = e.Message;
            return null;
        }
        if (!rejectDuplicateKeys)
        {
            return null;
        }
        // Only bad input gets here: parse again allowing duplicates to tell the two failures apart.
        try
        {
            // the parser's message already names the property ("Duplicate property 'seq' …")
            using var lenient = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
            duplicateKey = true;
        }
        catch (JsonException)
        {
            // a syntax error: the first message stands
        }
        return null;
    }

    /// <summary>Where the first byte that is not UTF-8 is (support can then find the field in a quarantined sample).</summary>
    public static string InvalidUtf8Detail(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length && Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }
        return "not UTF-8 at byte " + offset.ToString(CultureInfo.InvariantCulture);
    }
}
