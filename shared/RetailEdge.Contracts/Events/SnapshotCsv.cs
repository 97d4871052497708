using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.Contracts.Events;

/// <summary>
/// The CSV form of an inventory count, as handhelds drop it into the gateway's watched folder:
/// header <c>item_id,employee_id,store_id,date_time,quantity</c>, one row per counted item.
/// Rows with the same store and date_time are one count (one <see cref="InventorySnapshotEvent"/>).
/// </summary>
public static class SnapshotCsv
{
    public const string Header = "item_id,employee_id,store_id,date_time,quantity";

    /// <summary>Largest file accepted; a count of the whole assortment is well below it.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Parses a file. The event id is derived from the file content and the count time, so the same
    /// file dropped twice is the same event (idempotent).
    /// </summary>
    public static SnapshotCsvResult Parse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (Encoding.UTF8.GetByteCount(content) > MaxBytes)
        {
            return SnapshotCsvResult.Failed(ReasonCodes.TooLarge, $"file larger than {MaxBytes} bytes");
        }
        using var reader = new StringReader(content);
        var header = reader.ReadLine()?.Trim().TrimStart('\uFEFF');
        if (header is null || !string.Equals(header.Replace(" ", string.Empty, StringComparison.Ordinal), Header, StringComparison.OrdinalIgnoreCase))
        {
            return SnapshotCsvResult.Failed(ReasonCodes.MissingField("header"), $"expected header '{Header}'");
        }
        var groups = new Dictionary<(int Store, DateTimeOffset Ts), (string? Employee, List<InventoryLine> Lines)>();
        var order = new List<(int, DateTimeOffset)>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var fields = line.Split(',');
            if (fields.Length != 5)
            {
                return SnapshotCsvResult.Failed(ReasonCodes.MalformedCsv, $"line {lineNumber}: {fields.Length} fields, expected 5");
            }
            if (!long.TryParse(fields[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var itemId))
            {
                return SnapshotCsvResult.Failed(ReasonCodes.InvalidField("item_id"), $"line {lineNumber}");
            }
            if (!int.TryParse(fields[2].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var storeId))
            {
                return SnapshotCsvResult.Failed(ReasonCodes.InvalidField("store_id"), $"line {lineNumber}");
            }
            var tsText = fields[3].Trim();
            if (!DateTimeOffset.TryParse(tsText, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ts) || !(tsText.EndsWith('Z') || tsText.Length > 6 && tsText[^6] is '+' or '-'))
            {
                return SnapshotCsvResult.Failed(ReasonCodes.BadTimestamp, $"line {lineNumber}: '{tsText}' needs an ISO-8601 time with offset");
            }
            if (!decimal.TryParse(fields[4].Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var qty) || qty < 0)
            {
                return SnapshotCsvResult.Failed(ReasonCodes.InvalidField("quantity"), $"line {lineNumber}");
            }
            var key = (storeId, ts);
            if (!groups.TryGetValue(key, out var group))
            {
                group = (string.IsNullOrWhiteSpace(fields[1]) ? null : fields[1].Trim(), new List<InventoryLine>());
                groups[key] = group;
                order.Add(key);
            }
            group.Lines.Add(new InventoryLine(itemId, qty));
        }
        if (order.Count == 0)
        {
            return SnapshotCsvResult.Failed(ReasonCodes.MissingField("counts"), "no rows");
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..16];
        var events = order.Select((key, index) => new InventorySnapshotEvent
        {
            Id = $"csv-{hash}-{index}",
            StoreId = key.Item1,
            Ts = key.Item2,
            EmployeeId = groups[key].Employee,
            Counts = groups[key].Lines,
        }).ToList();
        return new SnapshotCsvResult(events, null, null);
    }

    /// <summary>Writes a count in the CSV form (the simulator's file drops, tests).</summary>
    public static string Format(InventorySnapshotEvent snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var builder = new StringBuilder(Header).Append('\n');
        var ts = StoreEventJson.FormatTimestamp(snapshot.Ts);
        foreach (var count in snapshot.Counts)
        {
            builder.Append(count.ItemId.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(snapshot.EmployeeId).Append(',')
                .Append(snapshot.StoreId.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(ts).Append(',')
                .Append(count.Qty.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return builder.ToString();
    }
}
