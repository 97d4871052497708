using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.Delta;

/// <summary>
/// A Delta (Spark) data type: a primitive name (string, long, integer, short, byte, float, double,
/// boolean, binary, date, timestamp, decimal(p,s), …) or a struct, array or map.
/// </summary>
public sealed record DeltaType
{
    private DeltaType(string name)
    {
        Name = name;
    }

    /// <summary>The primitive name, or "struct", "array", "map".</summary>
    public string Name { get; }

    public IReadOnlyList<DeltaField> Fields { get; private init; } = [];

    public DeltaType? ElementType { get; private init; }

    public DeltaType? KeyType { get; private init; }

    public DeltaType? ValueType { get; private init; }

    public bool ContainsNull { get; private init; } = true;

    public bool IsPrimitive => Name is not ("struct" or "array" or "map");

    public static DeltaType String { get; } = new("string");

    public static DeltaType Long { get; } = new("long");

    public static DeltaType Integer { get; } = new("integer");

    public static DeltaType Short { get; } = new("short");

    public static DeltaType Byte { get; } = new("byte");

    public static DeltaType Float { get; } = new("float");

    public static DeltaType Double { get; } = new("double");

    public static DeltaType Boolean { get; } = new("boolean");

    public static DeltaType Binary { get; } = new("binary");

    public static DeltaType Date { get; } = new("date");

    public static DeltaType Timestamp { get; } = new("timestamp");

    public static DeltaType Decimal(int precision, int scale)
    {
        if (precision is < 1 or > 38 || scale < 0 || scale > precision)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), $"decimal({precision},{scale}) is not a valid Delta decimal");
        }
        return new DeltaType(string.Create(CultureInfo.InvariantCulture, $"decimal({precision},{scale})"));
    }

    /// <summary>A primitive type by its Delta name; throws for names the protocol does not define.</summary>
    public static DeltaType Primitive(string name)
    {
        var trimmed = name.Trim();
        return trimmed switch
        {
            "string" => String,
            "long" => Long,
            "integer" => Integer,
            "short" => Short,
            "byte" => Byte,
            "float" => Float,
            "double" => Double,
            "boolean" => Boolean,
            "binary" => Binary,
            "date" => Date,
            "timestamp" => Timestamp,
            // accepted on read so the protocol check can name the feature instead of a parse error
            "timestamp_ntz" or "void" or "variant" => new DeltaType(trimmed),
            _ when trimmed.StartsWith("decimal", StringComparison.Ordinal) => ParseDecimal(trimmed),
            _ => throw new DeltaException($"unknown Delta type '{name}'"),
        };
    }

    public static DeltaType Struct(IReadOnlyList<DeltaField> fields) => new("struct") { Fields = fields };

    public static DeltaType Array(DeltaType element, bool containsNull = true) =>
        new("array") { ElementType = element, ContainsNull = containsNull };

    public static DeltaType Map(DeltaType key, DeltaType value, bool valueContainsNull = true) =>
        new("map") { KeyType = key, ValueType = value, ContainsNull = valueContainsNull };

    /// <summary>(precision, scale) of a decimal type; null for other types.</summary>
    public (int Precision, int Scale)? DecimalParameters
    {
        get
        {
            if (!Name.StartsWith("decimal(", StringComparison.Ordinal))
            {
                return null;
            }
            var inner = Name["decimal(".Length..^1].Split(',');
            return (int.Parse(inner[0], CultureInfo.InvariantCulture), int.Parse(inner[1], CultureInfo.InvariantCulture));
        }
    }

    internal static DeltaType FromJson(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return Primitive(element.GetString()!);
        }
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("type", out var kind))
        {
            throw new DeltaException("schema type is neither a name nor an object with 'type'");
        }
        return kind.GetString() switch
        {
            "struct" => Struct(DeltaSchema.ParseFields(element)),
            "array" => Array(FromJson(element.GetProperty("elementType")),
                !element.TryGetProperty("containsNull", out var cn) || cn.ValueKind != JsonValueKind.False),
            "map" => Map(FromJson(element.GetProperty("keyType")), FromJson(element.GetProperty("valueType")),
                !element.TryGetProperty("valueContainsNull", out var vn) || vn.ValueKind != JsonValueKind.False),
            var other => throw new DeltaException($"unknown Delta complex type '{other}'"),
        };
    }

    internal JsonNode ToJson() => Name switch
    {
        "struct" => DeltaSchema.FieldsToJson(Fields),
        "array" => new JsonObject
        {
            ["type"] = "array",
            ["elementType"] = ElementType!.ToJson(),
            ["containsNull"] = ContainsNull,
        },
        "map" => new JsonObject
        {
            ["type"] = "map",
            ["keyType"] = KeyType!.ToJson(),
            ["valueType"] = ValueType!.ToJson(),
            ["valueContainsNull"] = ContainsNull,
        },
        _ => JsonValue.Create(Name),
    };

    /// <summary>The primitive name, or the compact JSON of a complex type.</summary>
    public override string ToString() => IsPrimitive ? Name : ToJson().ToJsonString();

    private static DeltaType ParseDecimal(string name)
    {
        if (name == "decimal")
        {
            return Decimal(10, 0);
        }
        var open = name.IndexOf('(', StringComparison.Ordinal);
        var close = name.IndexOf(')', StringComparison.Ordinal);
        var parts = open > 0 && close > open ? name[(open + 1)..close].Split(',') : [];
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
        {
            throw new DeltaException($"malformed decimal type '{name}'");
        }
        return Decimal(p, s);
    }
}
