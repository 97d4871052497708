using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.Delta;

/// <summary>A table schema: the Spark StructType JSON stored in metaData.schemaString.</summary>
public sealed class DeltaSchema
{
    public DeltaSchema(IReadOnlyList<DeltaField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in fields)
        {
            if (string.IsNullOrWhiteSpace(field.Name))
            {
                throw new DeltaException("a schema field has an empty name");
            }
            // Spark resolves column names case-insensitively: two names differing by case are one column
            if (!seen.Add(field.Name))
            {
                throw new DeltaException($"duplicate column '{field.Name}' in schema");
            }
        }
        Fields = fields;
    }

    public IReadOnlyList<DeltaField> Fields { get; }

    public DeltaField? Find(string name) =>
        Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    public static DeltaSchema Parse(string schemaString)
    {
        try
        {
            using var document = JsonDocument.Parse(schemaString);
            return new DeltaSchema(ParseFields(document.RootElement));
        }
        catch (JsonException ex)
        {
            throw new DeltaException("metaData.schemaString is not valid JSON: " + ex.Message, ex);
        }
        catch (KeyNotFoundException ex)
        {
            throw new DeltaException("metaData.schemaString lacks a required property: " + ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new DeltaException("metaData.schemaString has a property of the wrong kind: " + ex.Message, ex);
        }
    }

    public string ToJsonString() => FieldsToJson(Fields).ToJsonString();

    internal static List<DeltaField> ParseFields(JsonElement structElement)
    {
        if (structElement.ValueKind != JsonValueKind.Object
            || !structElement.TryGetProperty("type", out var type) || type.GetString() != "struct"
            || !structElement.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
        {
            throw new DeltaException("schema is not a struct with fields");
        }
        var result = new List<DeltaField>();
        foreach (var field in fields.EnumerateArray())
        {
            var name = field.GetProperty("name").GetString() ?? throw new DeltaException("schema field without a name");
            var nullable = !field.TryGetProperty("nullable", out var n) || n.ValueKind != JsonValueKind.False;
            JsonObject? metadata = null;
            if (field.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
            {
                metadata = JsonNode.Parse(m.GetRawText())?.AsObject();
            }
            result.Add(new DeltaField(name, DeltaType.FromJson(field.GetProperty("type")), nullable, metadata));
        }
        return result;
    }

    internal static JsonObject FieldsToJson(IReadOnlyList<DeltaField> fields)
    {
        var array = new JsonArray();
        foreach (var field in fields)
        {
            array.Add(new JsonObject
            {
                ["name"] = field.Name,
                ["type"] = field.Type.ToJson(),
                ["nullable"] = field.Nullable,
                ["metadata"] = field.Metadata?.DeepClone() ?? new JsonObject(),
            });
        }
        return new JsonObject { ["type"] = "struct", ["fields"] = array };
    }
}
