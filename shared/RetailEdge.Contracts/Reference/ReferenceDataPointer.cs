using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace RetailEdge.Contracts.Reference;

/// <summary>
/// The <c>referenceData</c> desired property. Twin values are limited to 4 KB each and 32 KB in
/// total, so a small set travels inline as base64 chunks (<c>chunks: {c000: …, c001: …}</c>) and a
/// large one as a "shoulder tap": a url to a file (https, or a file url under a root the gateway allows) plus its SHA-256, which the gateway downloads and
/// verifies before applying (PROTOCOLS.md; iotedge#1124).
/// </summary>
public sealed record ReferenceDataPointer
{
    /// <summary>Characters per inline chunk: well under the 4 KB per-value twin limit.</summary>
    public const int ChunkChars = 3000;

    /// <summary>Inline only while the chunks stay well inside the 32 KB desired-properties budget.</summary>
    public const int MaxInlineChars = 7 * ChunkChars;

    public required string Version { get; init; }

    public required string Sha256 { get; init; }

    public required long Bytes { get; init; }

    public Uri? Url { get; init; }

    public IReadOnlyList<string> Chunks { get; init; } = [];

    public bool IsInline => Url is null;

    public static bool FitsInline(ReadOnlySpan<byte> payload) => (payload.Length + 2) / 3 * 4 <= MaxInlineChars;

    public static ReferenceDataPointer Inline(ReadOnlySpan<byte> payload)
    {
        var base64 = Convert.ToBase64String(payload);
        if (base64.Length > MaxInlineChars)
        {
            throw new ArgumentException($"payload of {payload.Length} bytes is too large to go inline; use a url", nameof(payload));
        }
        var chunks = new List<string>();
        for (var i = 0; i < base64.Length; i += ChunkChars)
        {
            chunks.Add(base64.Substring(i, Math.Min(ChunkChars, base64.Length - i)));
        }
        return new ReferenceDataPointer
        {
            Version = ReferenceDataCodec.VersionOf(payload),
            Sha256 = ReferenceDataCodec.Sha256Hex(payload),
            Bytes = payload.Length,
            Chunks = chunks,
        };
    }

    public static ReferenceDataPointer Remote(ReadOnlySpan<byte> payload, Uri url) => new()
    {
        Version = ReferenceDataCodec.VersionOf(payload),
        Sha256 = ReferenceDataCodec.Sha256Hex(payload),
        Bytes = payload.Length,
        Url = url,
    };

    /// <summary>The inline payload, reassembled; null for a url pointer.</summary>
    public byte[]? InlinePayload() => IsInline ? Convert.FromBase64String(string.Concat(Chunks)) : null;

    /// <summary>True when <paramref name="payload"/> has the announced size and hash (constant-time compare).</summary>
    public bool Verify(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != Bytes)
        {
            return false;
        }
        var expected = Convert.FromHexString(Sha256);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(payload), expected);
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("version", Version);
        writer.WriteString("sha256", Sha256);
        writer.WriteNumber("bytes", Bytes);
        if (Url is not null)
        {
            writer.WriteString("url", Url.AbsoluteUri);
        }
        else
        {
            writer.WriteStartObject("chunks");
            for (var i = 0; i < Chunks.Count; i++)
            {
                writer.WriteString(ChunkName(i), Chunks[i]);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads and validates a <c>referenceData</c> value from a twin: types, sizes, hash format, url
    /// scheme (https; http only to a loopback host, for local emulation). Never throws on bad input.
    /// </summary>
    public static (ReferenceDataPointer? Pointer, string? Error) Parse(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return (null, "referenceData must be an object");
        }
        if (!value.TryGetProperty("sha256", out var sha) || JsonText.StringOrNull(sha) is not { Length: 64 } hash || !IsHex(hash))
        {
            return (null, "referenceData.sha256 must be 64 hex digits");
        }
        if (!value.TryGetProperty("bytes", out var bytesValue) || !bytesValue.TryGetInt64(out var bytes) || bytes <= 0 || bytes > ReferenceDataCodec.MaxBytes)
        {
            return (null, $"referenceData.bytes must be a number from 1 to {ReferenceDataCodec.MaxBytes}");
        }
        var version = value.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? JsonText.StringOrNull(v) ?? "" : hash[..16];
        if (version.Length == 0)
        {
            return (null, "referenceData.version must be readable text");
        }
        if (version.Length > 64)
        {
            return (null, "referenceData.version is longer than 64 characters");
        }
        if (value.TryGetProperty("url", out var urlValue) && urlValue.ValueKind != JsonValueKind.Null)
        {
            if (!Uri.TryCreate(JsonText.StringOrNull(urlValue), UriKind.Absolute, out var url)
                || !(url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp && url.IsLoopback || url.IsFile && IsLocalFile(url)))
            {
                return (null, "referenceData.url must be an https url (http only to a loopback host), or a file url on this machine");
            }
            return (new ReferenceDataPointer { Version = version, Sha256 = hash.ToLowerInvariant(), Bytes = bytes, Url = url }, null);
        }
        if (!value.TryGetProperty("chunks", out var chunksValue) || chunksValue.ValueKind != JsonValueKind.Object)
        {
            return (null, "referenceData needs either url or chunks");
        }
        var chunks = new List<string>();
        for (var i = 0; ; i++)
        {
            if (!chunksValue.TryGetProperty(ChunkName(i), out var chunk))
            {
                break;
            }
            if (JsonText.StringOrNull(chunk) is not { } text || text.Length > ChunkChars)
            {
                return (null, $"referenceData.chunks.{ChunkName(i)} must be a string of at most {ChunkChars} characters");
            }
            chunks.Add(text);
        }
        if (chunks.Count == 0 || chunks.Count != chunksValue.EnumerateObject().Count())
        {
            return (null, "referenceData.chunks must be c000, c001, … without gaps");
        }
        return (new ReferenceDataPointer { Version = version, Sha256 = hash.ToLowerInvariant(), Bytes = bytes, Chunks = chunks }, null);
    }

    public static string ChunkName(int index) => "c" + index.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>A file url without a remote host (file:///path): a UNC share would reach the network.</summary>
    private static bool IsLocalFile(Uri url) => !url.IsUnc && (url.Host.Length == 0 || url.Host == "localhost");

    private static bool IsHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
