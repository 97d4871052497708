using System.Globalization;
using System.Text;

namespace RetailEdge.Contracts.Reference;

/// <summary>
/// Reference data as CSV files with snake_case headers (the simulator's --reference-out and
/// <c>retailedge reference load --from</c>): store.csv, item.csv, change_type.csv, assortment.csv.
/// RFC 4180 quoting.
/// </summary>
public static class ReferenceCsv
{
    public const string StoreFile = "store.csv";
    public const string ItemFile = "item.csv";
    public const string ChangeTypeFile = "change_type.csv";
    public const string AssortmentFile = "assortment.csv";

    public const string StoreHeader = "store_id,name,region,timezone,device_id";
    public const string ItemHeader = "item_id,name,department,supplier_id,safety_stock_quantity,unit_of_measure,unit_price,unit_cost";
    public const string ChangeTypeHeader = "change_type_id,change_type";
    public const string AssortmentHeader = "store_id,item_id";

    public static string FormatStores(IEnumerable<StoreReference> stores) =>
        Format(StoreHeader, stores, s => [Int(s.StoreId), s.Name, s.Region, s.Timezone, s.DeviceId]);

    public static string FormatItems(IEnumerable<ItemReference> items) =>
        Format(ItemHeader, items, i => [Int(i.ItemId), i.Name, i.Department, Int(i.SupplierId), Dec(i.SafetyStockQuantity), i.UnitOfMeasure, Dec(i.UnitPrice), Dec(i.UnitCost)]);

    public static string FormatChangeTypes(IEnumerable<ChangeTypeReference> types) =>
        Format(ChangeTypeHeader, types, t => [Int(t.ChangeTypeId), t.ChangeType]);

    public static string FormatAssortment(IEnumerable<AssortmentEntry> entries) =>
        Format(AssortmentHeader, entries, a => [Int(a.StoreId), Int(a.ItemId)]);

    public static IReadOnlyList<StoreReference> ParseStores(string csv) =>
        Parse(csv, StoreHeader, f => new StoreReference(int.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2], f[3], f[4]));

    public static IReadOnlyList<ItemReference> ParseItems(string csv) =>
        Parse(csv, ItemHeader, f => new ItemReference(
            long.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2], int.Parse(f[3], CultureInfo.InvariantCulture),
            decimal.Parse(f[4], CultureInfo.InvariantCulture), f[5], decimal.Parse(f[6], CultureInfo.InvariantCulture), decimal.Parse(f[7], CultureInfo.InvariantCulture)));

    public static IReadOnlyList<ChangeTypeReference> ParseChangeTypes(string csv) =>
        Parse(csv, ChangeTypeHeader, f => new ChangeTypeReference(int.Parse(f[0], CultureInfo.InvariantCulture), f[1]));

    public static IReadOnlyList<AssortmentEntry> ParseAssortment(string csv) =>
        Parse(csv, AssortmentHeader, f => new AssortmentEntry(int.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture)));

    /// <summary>Splits one CSV record (RFC 4180: quoted fields, doubled quotes).</summary>
    public static List<string> SplitRecord(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        if (quoted)
        {
            throw new FormatException("unterminated quoted field");
        }
        fields.Add(field.ToString());
        return fields;
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Dec(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string Format<T>(string header, IEnumerable<T> rows, Func<T, string[]> fields)
    {
        var builder = new StringBuilder(header).Append('\n');
        foreach (var row in rows)
        {
            builder.AppendJoin(',', fields(row).Select(Quote)).Append('\n');
        }
        return builder.ToString();
    }

    private static List<T> Parse<T>(string csv, string header, Func<List<string>, T> read)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var lines = csv.Split('\n');
        if (lines.Length == 0 || lines[0].Trim().TrimStart('\uFEFF') != header)
        {
            throw new FormatException($"expected header '{header}'");
        }
        var expected = header.Split(',').Length;
        var result = new List<T>(lines.Length);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            var fields = SplitRecord(line);
            if (fields.Count != expected)
            {
                throw new FormatException($"line {i + 1}: {fields.Count} fields, expected {expected}");
            }
            try
            {
                result.Add(read(fields));
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {i + 1}: {e.Message}", e);
            }
        }
        return result;
    }
}
