using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace RetailEdge.Contracts.Reference;

/// <summary>
/// The wire form of a <see cref="ReferenceDataSet"/>: compact JSON (<c>{"storeId":17,"items":[[itemId,unitPrice,unitCost,safetyStock],…]}</c>),
/// gzip-compressed, identified by its SHA-256. Deterministic: the same set gives the same bytes, so the
/// hash is a content version and unchanged twins are not patched.
/// </summary>
public static class ReferenceDataCodec
{
    /// <summary>A store's reference file is never larger than this (compressed or not).</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    public static byte[] Serialize(ReferenceDataSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var json = new ArrayBufferWriter<byte>(set.Items.Count * 32 + 64);
        using (var w = new Utf8JsonWriter(json, ContractsJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("storeId", set.StoreId);
            w.WriteStartArray("items");
            foreach (var item in set.Items.OrderBy(i => i.ItemId))
            {
                w.WriteStartArray();
                w.WriteNumberValue(item.ItemId);
                w.WriteNumberValue(Canonical(item.UnitPrice));
                w.WriteNumberValue(Canonical(item.UnitCost));
                w.WriteNumberValue(Canonical(item.SafetyStockQuantity));
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(json.WrittenSpan);
        }
        return output.ToArray();
    }

    /// <summary>Reads a payload; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static ReferenceDataSet Deserialize(ReadOnlySpan<byte> payload)
    {
        byte[] json;
        try
        {
            using var input = new MemoryStream(payload.ToArray(), writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > MaxBytes)
                {
                    throw new FormatException($"reference data larger than {MaxBytes} bytes when decompressed");
                }
                output.Write(buffer, 0, read);
            }
            json = output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new FormatException("reference data is not gzip: " + e.Message, e);
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var items = new List<ReferenceItem>();
            foreach (var row in root.GetProperty("items").EnumerateArray())
            {
                items.Add(new ReferenceItem(row[0].GetInt64(), row[1].GetDecimal(), row[2].GetDecimal(), row[3].GetDecimal()));
            }
            return new ReferenceDataSet(root.GetProperty("storeId").GetInt32(), items);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException)
        {
            throw new FormatException("reference data is not a valid set: " + e.Message, e);
        }
    }

    /// <summary>
    /// The value without trailing zeros: a decimal keeps its scale (1.99 read from a DECIMAL(18,4) column is
    /// 1.9900), and the same price must give the same bytes wherever it was read from.
    /// </summary>
    private static decimal Canonical(decimal value) => value / 1.000000000000000000000000000000000m;

    public static string Sha256Hex(ReadOnlySpan<byte> payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    /// <summary>The version a gateway reports: the first 16 hex digits of the SHA-256.</summary>
    public static string VersionOf(ReadOnlySpan<byte> payload) => Sha256Hex(payload)[..16];
}
