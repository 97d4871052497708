using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>
/// Reads and writes commit files: newline-delimited JSON, one action per line, each line an
/// object with a single key naming the action (PROTOCOL.md "Delta Log Entries"). Pure: bytes in, actions out.
/// </summary>
public static class DeltaLogCodec
{
    private const string EmptySchema = "{\"type\":\"struct\",\"fields\":[]}";

    /// <summary>Parses a whole commit file; <paramref name="source"/> names it in error messages.</summary>
    public static IReadOnlyList<DeltaAction> ParseCommit(ReadOnlySpan<byte> utf8, string source)
    {
        var actions = new List<DeltaAction>();
        var lineNumber = 0;
        while (!utf8.IsEmpty)
        {
            lineNumber++;
            var end = utf8.IndexOf((byte)'\n');
            var line = end < 0 ? utf8 : utf8[..end];
            utf8 = end < 0 ? [] : utf8[(end + 1)..];
            if (line.Trim(" \r\t"u8).IsEmpty)
            {
                continue;
            }
            try
            {
                actions.Add(ParseAction(line));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
            {
                throw new DeltaException($"{source} line {lineNumber}: malformed action ({ex.Message})", ex);
            }
        }
        return actions;
    }

    /// <summary>Parses one action line.</summary>
    public static DeltaAction ParseAction(ReadOnlySpan<byte> line)
    {
        using var document = JsonDocument.Parse(line.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("an action line must be a JSON object");
        }
        using var properties = root.EnumerateObject();
        if (!properties.MoveNext())
        {
            throw new FormatException("empty action object");
        }
        var property = properties.Current;
        var value = property.Value;
        return property.Name switch
        {
            "protocol" => ParseProtocol(value),
            "metaData" => ParseMetadata(value),
            "add" => ParseAdd(value),
            "remove" => ParseRemove(value),
            "txn" => new TxnAction(
                RequiredString(value, "appId"),
                value.GetProperty("version").GetInt64(),
                OptionalLong(value, "lastUpdated")),
            "commitInfo" => new CommitInfoAction(JsonNode.Parse(value.GetRawText())!.AsObject()),
            var other => new UnknownAction(other, JsonNode.Parse(value.GetRawText())),
        };
    }

    /// <summary>Serialises actions as a commit file (commitInfo first by convention, one action per line).</summary>
    public static byte[] SerializeCommit(IEnumerable<DeltaAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var builder = new StringBuilder();
        foreach (var action in actions.OrderBy(a => a is CommitInfoAction ? 0 : 1))
        {
            builder.Append(ToJson(action).ToJsonString()).Append('\n');
        }
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>The JSON line for one action, e.g. {"add":{…}}.</summary>
    public static JsonObject ToJson(DeltaAction action) => action switch
    {
        ProtocolAction p => Wrap("protocol", ProtocolToJson(p)),
        MetadataAction m => Wrap("metaData", new JsonObject
        {
            ["id"] = m.Id,
            ["name"] = m.Name,
            ["description"] = m.Description,
            ["format"] = new JsonObject { ["provider"] = m.FormatProvider, ["options"] = new JsonObject() },
            ["schemaString"] = m.SchemaString,
            ["partitionColumns"] = new JsonArray([.. m.PartitionColumns.Select(c => (JsonNode)JsonValue.Create(c))]),
            ["configuration"] = MapToJson(m.Configuration),
            ["createdTime"] = m.CreatedTime,
        }),
        AddAction a => Wrap("add", AddToJson(a)),
        RemoveAction r => Wrap("remove", RemoveToJson(r)),
        TxnAction t => Wrap("txn", new JsonObject
        {
            ["appId"] = t.AppId,
            ["version"] = t.Version,
            ["lastUpdated"] = t.LastUpdated,
        }),
        CommitInfoAction c => Wrap("commitInfo", c.Value.DeepClone()),
        UnknownAction u => Wrap(u.Kind, u.Value?.DeepClone()),
        _ => throw new ArgumentException("unknown action type " + action.GetType().Name, nameof(action)),
    };

    private static JsonObject ProtocolToJson(ProtocolAction p)
    {
        var json = new JsonObject
        {
            ["minReaderVersion"] = p.MinReaderVersion,
            ["minWriterVersion"] = p.MinWriterVersion,
        };
        if (p.ReaderFeatures is not null)
        {
            json["readerFeatures"] = new JsonArray([.. p.ReaderFeatures.Select(f => (JsonNode)JsonValue.Create(f))]);
        }
        if (p.WriterFeatures is not null)
        {
            json["writerFeatures"] = new JsonArray([.. p.WriterFeatures.Select(f => (JsonNode)JsonValue.Create(f))]);
        }
        return json;
    }

    private static JsonObject AddToJson(AddAction a)
    {
        var json = new JsonObject
        {
            ["path"] = a.Path,
            ["partitionValues"] = MapToJson(a.PartitionValues),
            ["size"] = a.Size,
            ["modificationTime"] = a.ModificationTime,
            ["dataChange"] = a.DataChange,
        };
        if (a.Stats is not null)
        {
            json["stats"] = a.Stats;
        }
        if (a.Tags is not null)
        {
            json["tags"] = MapToJson(a.Tags);
        }
        return json;
    }

    private static JsonObject RemoveToJson(RemoveAction r)
    {
        var json = new JsonObject
        {
            ["path"] = r.Path,
            ["deletionTimestamp"] = r.DeletionTimestamp,
            ["dataChange"] = r.DataChange,
        };
        if (r.ExtendedFileMetadata)
        {
            json["extendedFileMetadata"] = true;
        }
        if (r.PartitionValues is not null)
        {
            json["partitionValues"] = MapToJson(r.PartitionValues);
        }
        if (r.Size is not null)
        {
            json["size"] = r.Size;
        }
        return json;
    }

    private static JsonObject Wrap(string name, JsonNode? value) => new() { [name] = value };

    private static JsonObject MapToJson(IReadOnlyDictionary<string, string?> map)
    {
        var json = new JsonObject();
        foreach (var (key, value) in map)
        {
            json[key] = value;
        }
        return json;
    }

    private static ProtocolAction ParseProtocol(JsonElement value) => new(
        value.GetProperty("minReaderVersion").GetInt32(),
        value.GetProperty("minWriterVersion").GetInt32(),
        OptionalStringList(value, "readerFeatures"),
        OptionalStringList(value, "writerFeatures"));

    private static MetadataAction ParseMetadata(JsonElement value)
    {
        var provider = "parquet";
        if (value.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.Object
            && format.TryGetProperty("provider", out var p) && p.ValueKind == JsonValueKind.String)
        {
            provider = p.GetString()!;
        }
        return new MetadataAction(
            RequiredString(value, "id"),
            // some writers (and test logs) omit the schema of an empty table: read it as no columns
            OptionalString(value, "schemaString") ?? EmptySchema,
            OptionalStringList(value, "partitionColumns") ?? [],
            ParseMap(value, "configuration") ?? new Dictionary<string, string?>(),
            OptionalLong(value, "createdTime"),
            OptionalString(value, "name"),
            OptionalString(value, "description"),
            provider);
    }

    private static AddAction ParseAdd(JsonElement value) => new(
        RequiredString(value, "path"),
        ParseMap(value, "partitionValues") ?? new Dictionary<string, string?>(),
        OptionalLong(value, "size") ?? 0,
        OptionalLong(value, "modificationTime") ?? 0,
        !value.TryGetProperty("dataChange", out var dc) || dc.ValueKind != JsonValueKind.False,
        OptionalString(value, "stats"),
        ParseMap(value, "tags"),
        value.TryGetProperty("deletionVector", out var dv) && dv.ValueKind == JsonValueKind.Object);

    private static RemoveAction ParseRemove(JsonElement value) => new(
        RequiredString(value, "path"),
        OptionalLong(value, "deletionTimestamp"),
        !value.TryGetProperty("dataChange", out var dc) || dc.ValueKind != JsonValueKind.False,
        ParseMap(value, "partitionValues"),
        OptionalLong(value, "size"),
        value.TryGetProperty("extendedFileMetadata", out var e) && e.ValueKind == JsonValueKind.True);

    private static string RequiredString(JsonElement value, string name) =>
        value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()!
            : throw new FormatException($"missing string '{name}'");

    private static string? OptionalString(JsonElement value, string name) =>
        value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static long? OptionalLong(JsonElement value, string name) =>
        value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt64() : null;

    private static List<string>? OptionalStringList(JsonElement value, string name)
    {
        if (!value.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        return [.. p.EnumerateArray().Select(e => e.GetString() ?? throw new FormatException($"null in '{name}'"))];
    }

    private static Dictionary<string, string?>? ParseMap(JsonElement value, string name)
    {
        if (!value.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var entry in p.EnumerateObject())
        {
            map[entry.Name] = entry.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => entry.Value.GetString(),
                _ => entry.Value.GetRawText(),
            };
        }
        return map;
    }
}
