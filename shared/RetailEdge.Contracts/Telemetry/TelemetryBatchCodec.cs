using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using RetailEdge.Contracts.Events;

namespace RetailEdge.Contracts.Telemetry;

/// <summary>
/// Encodes and decodes <see cref="TelemetryBatch"/> in its compact columnar JSON form
/// (<c>{"cols":[…],"rows":[[…]]}</c> per section), optionally gzip-compressed. Decoding never throws
/// on bad input: it returns a reason code. Columns are looked up by name, so a reader tolerates
/// added columns and a different column order.
/// </summary>
public static class TelemetryBatchCodec
{
    /// <summary>Upper bound for a decompressed body (IoT Hub messages are ≤ 256 KB compressed).</summary>
    public const int MaxDecodedBytes = 16 * 1024 * 1024;

    public static readonly string[] ItemColumns = ["windowStart", "itemId", "changeType", "channel", "events", "qty", "amount", "discount"];
    public static readonly string[] BasketColumns = ["id", "ts", "laneId", "channel", "customerId", "lines", "qty", "amount"];
    public static readonly string[] WeighingColumns = ["windowStart", "scaleId", "itemId", "count", "netKg", "amount", "tareAnomalies"];
    public static readonly string[] SnapshotColumns = ["id", "ts", "itemId", "qty", "employeeId"];
    public static readonly string[] InventoryColumns = ["itemId", "asOf", "position", "lastCountAt", "lastCountQty"];

    public static byte[] Encode(TelemetryBatch batch, bool gzip)
    {
        var json = EncodeJson(batch);
        if (!gzip)
        {
            return json;
        }
        using var output = new MemoryStream(json.Length / 4 + 64);
        using (var compressor = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            compressor.Write(json);
        }
        return output.ToArray();
    }

    /// <summary>
    /// This thread's encoding buffer, reused: a batch is written into it and copied out once, instead of
    /// into a new buffer grown by doubling from 4 KB (≈ 3× the batch's size in garbage, half of a gateway
    /// store-day's allocations). A buffer grown past <see cref="MaxKeptBufferBytes"/> is not kept.
    /// </summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_encodeBuffer;

    private const int MaxKeptBufferBytes = 1024 * 1024;

    public static byte[] EncodeJson(TelemetryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var buffer = t_encodeBuffer ?? new ArrayBufferWriter<byte>(16 * 1024);
        // Taken for this call: an encoding that throws half-way leaves nothing behind for the next one.
        t_encodeBuffer = null;
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer, ContractsJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("schema", batch.Schema);
            w.WriteNumber("storeId", batch.StoreId);
            w.WriteString("gateway", batch.Gateway);
            w.WriteString("module", batch.Module);
            if (batch.JournalId is not null)
            {
                w.WriteString("journalId", batch.JournalId);
            }
            w.WriteNumber("seq", batch.Seq);
            StoreEventJson.WriteTimestamp(w, "createdAt", batch.CreatedAt);
            w.WriteNumber("windowSeconds", batch.WindowSeconds);
            WriteSection(w, "items", ItemColumns, batch.Items, static (w, r) =>
            {
                Ts(w, r.WindowStart); w.WriteNumberValue(r.ItemId); w.WriteStringValue(r.ChangeType); Str(w, r.Channel);
                w.WriteNumberValue(r.Events); w.WriteNumberValue(r.Qty); w.WriteNumberValue(r.Amount); w.WriteNumberValue(r.Discount);
            });
            WriteSection(w, "baskets", BasketColumns, batch.Baskets, static (w, r) =>
            {
                w.WriteStringValue(r.Id); Ts(w, r.Ts); w.WriteStringValue(r.LaneId); w.WriteStringValue(r.Channel); Str(w, r.CustomerId);
                w.WriteNumberValue(r.Lines); w.WriteNumberValue(r.Qty); w.WriteNumberValue(r.Amount);
            });
            WriteSection(w, "weighings", WeighingColumns, batch.Weighings, static (w, r) =>
            {
                Ts(w, r.WindowStart); w.WriteStringValue(r.ScaleId); w.WriteNumberValue(r.ItemId); w.WriteNumberValue(r.Count);
                w.WriteNumberValue(r.NetKg); w.WriteNumberValue(r.Amount); w.WriteNumberValue(r.TareAnomalies);
            });
            WriteSection(w, "snapshots", SnapshotColumns, batch.Snapshots, static (w, r) =>
            {
                w.WriteStringValue(r.Id); Ts(w, r.Ts); w.WriteNumberValue(r.ItemId); w.WriteNumberValue(r.Qty); Str(w, r.EmployeeId);
            });
            WriteSection(w, "inventory", InventoryColumns, batch.Inventory, static (w, r) =>
            {
                w.WriteNumberValue(r.ItemId); Ts(w, r.AsOf); w.WriteNumberValue(r.Position);
                if (r.LastCountAt is { } at) { Ts(w, at); } else { w.WriteNullValue(); }
                if (r.LastCountQty is { } q) { w.WriteNumberValue(q); } else { w.WriteNullValue(); }
            });
            if (batch.Alerts.Count > 0)
            {
                w.WriteStartArray("alerts");
                foreach (var alert in batch.Alerts)
                {
                    w.WriteStartObject();
                    w.WriteString("kind", alert.Kind);
                    StoreEventJson.WriteTimestamp(w, "ts", alert.Ts);
                    if (alert.ItemId is { } itemId)
                    {
                        w.WriteNumber("itemId", itemId);
                    }
                    w.WriteStartObject("detail");
                    foreach (var (key, value) in alert.Detail.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        w.WriteString(key, value);
                    }
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (batch.Rejects.Count > 0)
            {
                w.WriteStartObject("rejects");
                w.WriteNumber("count", batch.Rejects.Count);
                w.WriteStartObject("byReason");
                foreach (var (reason, count) in batch.Rejects.ByReason.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WriteNumber(reason, count);
                }
                w.WriteEndObject();
                w.WriteStartArray("samples");
                foreach (var sample in batch.Rejects.Samples)
                {
                    w.WriteStringValue(sample);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            if (batch.Raw.Count > 0)
            {
                w.WriteStartArray("raw");
                foreach (var raw in batch.Raw)
                {
                    w.WriteStringValue(raw);
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        var json = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity <= MaxKeptBufferBytes)
        {
            t_encodeBuffer = buffer;
        }
        return json;
    }

    /// <summary>Decodes a message body as sent (gzip when <paramref name="contentEncoding"/> is gzip).</summary>
    public static TelemetryDecodeResult Decode(ReadOnlySpan<byte> body, string? contentEncoding)
    {
        byte[] json;
        var gzip = string.Equals(contentEncoding, TelemetryMessage.GzipContentEncoding, StringComparison.OrdinalIgnoreCase);
        if (gzip)
        {
            if (body.Length < 2 || body[0] != 0x1f || body[1] != 0x8b)
            {
                return TelemetryDecodeResult.Failed(TelemetryReasonCodes.NotGzip, "content encoding is gzip but the body has no gzip header");
            }
            try
            {
                json = Decompress(body);
            }
            catch (InvalidDataException e)
            {
                return TelemetryDecodeResult.Failed(TelemetryReasonCodes.NotGzip, e.Message);
            }
            catch (InvalidOperationException e)
            {
                return TelemetryDecodeResult.Failed(TelemetryReasonCodes.TooLarge, e.Message);
            }
        }
        else
        {
            json = body.ToArray();
        }
        using var document = StrictJson.TryParse(json, 32, out var duplicateKey, out var error);
        return document is null
            ? TelemetryDecodeResult.Failed(duplicateKey ? TelemetryReasonCodes.DuplicateKey : TelemetryReasonCodes.BadJson, error)
            : Decode(document.RootElement);
    }

    /// <summary>Decodes a batch that is already a JSON value (a routed record's JSON <c>Body</c>).</summary>
    public static TelemetryDecodeResult Decode(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return TelemetryDecodeResult.Failed(TelemetryReasonCodes.BadJson, "body is not a JSON object");
        }
        try
        {
            if (!root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String)
            {
                return TelemetryDecodeResult.Failed(TelemetryReasonCodes.UnknownSchema, "no schema");
            }
            if (!schema.ValueEquals(TelemetryBatch.SchemaV1))
            {
                return TelemetryDecodeResult.Failed(TelemetryReasonCodes.UnknownSchema, schema.GetString());
            }
            var batch = new TelemetryBatch
            {
                StoreId = Required(root, "storeId").GetInt32(),
                Gateway = Required(root, "gateway").GetString() ?? throw new FormatException("gateway"),
                Module = root.TryGetProperty("module", out var module) && module.ValueKind == JsonValueKind.String ? module.GetString()! : "StoreGateway",
                JournalId = root.TryGetProperty("journalId", out var journal) && journal.ValueKind != JsonValueKind.Null ? journal.GetString() : null,
                Seq = Required(root, "seq").GetInt64(),
                CreatedAt = ParseTs(Required(root, "createdAt")),
                WindowSeconds = root.TryGetProperty("windowSeconds", out var ws) ? ws.GetInt32() : 60,
                Items = ReadSection(root, "items", ItemColumns, static c => new ItemWindowRow(
                    ParseTs(c[0]), c[1].GetInt64(), c[2].GetString()!, NullableString(c[3]), c[4].GetInt32(), c[5].GetDecimal(), c[6].GetDecimal(), c[7].GetDecimal())),
                Baskets = ReadSection(root, "baskets", BasketColumns, static c => new BasketSummaryRow(
                    c[0].GetString()!, ParseTs(c[1]), c[2].GetString()!, c[3].GetString()!, NullableString(c[4]), c[5].GetInt32(), c[6].GetDecimal(), c[7].GetDecimal())),
                Weighings = ReadSection(root, "weighings", WeighingColumns, static c => new WeighingWindowRow(
                    ParseTs(c[0]), c[1].GetString()!, c[2].GetInt64(), c[3].GetInt32(), c[4].GetDecimal(), c[5].GetDecimal(), c[6].GetInt32())),
                Snapshots = ReadSection(root, "snapshots", SnapshotColumns, static c => new SnapshotRow(
                    c[0].GetString()!, ParseTs(c[1]), c[2].GetInt64(), c[3].GetDecimal(), NullableString(c[4]))),
                Inventory = ReadSection(root, "inventory", InventoryColumns, static c => new InventoryPositionRow(
                    c[0].GetInt64(), ParseTs(c[1]), c[2].GetDecimal(),
                    c[3].ValueKind == JsonValueKind.Null ? null : ParseTs(c[3]),
                    c[4].ValueKind == JsonValueKind.Null ? null : c[4].GetDecimal())),
                Alerts = ReadAlerts(root),
                Rejects = ReadRejects(root),
                Raw = root.TryGetProperty("raw", out var raw) && raw.ValueKind == JsonValueKind.Array
                    ? raw.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.String ? r.GetString()! : r.GetRawText()).ToList()
                    : [],
            };
            if (batch.Gateway.Length == 0 || batch.Seq < 0)
            {
                return TelemetryDecodeResult.Failed(TelemetryReasonCodes.MissingField, "gateway or seq");
            }
            if (batch.JournalId is { } journalId && !IsValidJournalId(journalId))
            {
                return TelemetryDecodeResult.Failed(TelemetryReasonCodes.BadJournalId, "journalId must be 1..64 letters, digits, '-' or '_'");
            }
            return new TelemetryDecodeResult(batch, null, null);
        }
        catch (MissingFieldException e)
        {
            return TelemetryDecodeResult.Failed(TelemetryReasonCodes.MissingField, e.Message);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or OverflowException)
        {
            return TelemetryDecodeResult.Failed(TelemetryReasonCodes.BadSection, e.Message);
        }
    }

    /// <summary>What a journal id may be: it becomes part of the cloud's deduplication key and of silver.batch.</summary>
    public static bool IsValidJournalId(string journalId) =>
        journalId is { Length: > 0 and <= 64 } && journalId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// A gzip body's bytes, at most <see cref="MaxDecodedBytes"/>: <see cref="InvalidDataException"/> when it
    /// is not gzip, <see cref="InvalidOperationException"/> when it is larger (a decompression bomb).
    /// </summary>
    public static byte[] Decompress(ReadOnlySpan<byte> body)
    {
        using var input = new MemoryStream(body.ToArray(), writable: false);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream(body.Length * 6);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > MaxDecodedBytes)
                {
                    // a decompression bomb must not take the processor down
                    throw new InvalidOperationException($"decompressed body exceeds {MaxDecodedBytes} bytes");
                }
                output.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return output.ToArray();
    }

    private static JsonElement Required(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new MissingFieldException(name);

    private static DateTimeOffset ParseTs(JsonElement value) =>
        DateTimeOffset.Parse(value.GetString() ?? throw new FormatException("null timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static string? NullableString(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetString();

    private static void Ts(Utf8JsonWriter w, DateTimeOffset value)
    {
        Span<byte> utf8 = stackalloc byte[StoreEventJson.TimestampLength];
        StoreEventJson.FormatTimestampUtf8(value, utf8);
        w.WriteStringValue(utf8);
    }

    private static void Str(Utf8JsonWriter w, string? value)
    {
        if (value is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStringValue(value);
        }
    }

    private static void WriteSection<T>(Utf8JsonWriter w, string name, string[] columns, IReadOnlyList<T> rows, Action<Utf8JsonWriter, T> writeRow)
    {
        if (rows.Count == 0)
        {
            return;
        }
        w.WriteStartObject(name);
        w.WriteStartArray("cols");
        foreach (var column in columns)
        {
            w.WriteStringValue(column);
        }
        w.WriteEndArray();
        w.WriteStartArray("rows");
        foreach (var row in rows)
        {
            w.WriteStartArray();
            writeRow(w, row);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static List<T> ReadSection<T>(JsonElement root, string name, string[] columns, Func<JsonElement[], T> readRow)
    {
        if (!root.TryGetProperty(name, out var section) || section.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        var cols = section.GetProperty("cols").EnumerateArray().Select(c => c.GetString()).ToList();
        var index = new int[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            index[i] = cols.IndexOf(columns[i]);
            if (index[i] < 0)
            {
                throw new FormatException($"section {name} lacks column {columns[i]}");
            }
        }
        var result = new List<T>(section.GetProperty("rows").GetArrayLength());
        var cells = new JsonElement[columns.Length];
        foreach (var row in section.GetProperty("rows").EnumerateArray())
        {
            var length = row.GetArrayLength();
            for (var i = 0; i < columns.Length; i++)
            {
                if (index[i] >= length)
                {
                    throw new FormatException($"section {name}: short row");
                }
                cells[i] = row[index[i]];
            }
            result.Add(readRow(cells));
        }
        return result;
    }

    private static List<TelemetryAlert> ReadAlerts(JsonElement root)
    {
        if (!root.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
        {
            return [];
        }
        var result = new List<TelemetryAlert>();
        foreach (var alert in alerts.EnumerateArray())
        {
            var detail = new Dictionary<string, string>();
            if (alert.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in d.EnumerateObject())
                {
                    detail[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }
            result.Add(new TelemetryAlert(
                alert.GetProperty("kind").GetString()!,
                ParseTs(alert.GetProperty("ts")),
                alert.TryGetProperty("itemId", out var item) && item.ValueKind == JsonValueKind.Number ? item.GetInt64() : null,
                detail));
        }
        return result;
    }

    private static RejectSummary ReadRejects(JsonElement root)
    {
        if (!root.TryGetProperty("rejects", out var rejects) || rejects.ValueKind != JsonValueKind.Object)
        {
            return RejectSummary.Empty;
        }
        var byReason = new Dictionary<string, int>();
        if (rejects.TryGetProperty("byReason", out var reasons) && reasons.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in reasons.EnumerateObject())
            {
                byReason[p.Name] = p.Value.GetInt32();
            }
        }
        var samples = rejects.TryGetProperty("samples", out var s) && s.ValueKind == JsonValueKind.Array
            ? s.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText()).ToList()
            : [];
        return new RejectSummary(rejects.TryGetProperty("count", out var count) ? count.GetInt32() : byReason.Values.Sum(), byReason, samples);
    }
}
