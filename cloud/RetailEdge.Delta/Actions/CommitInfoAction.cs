using System.Text.Json.Nodes;

namespace RetailEdge.Delta.Actions;

/// <summary>The free-form `commitInfo` action; the well-known fields are exposed as properties.</summary>
public sealed record CommitInfoAction(JsonObject Value) : DeltaAction
{
    public long? Timestamp => TryGetLong("timestamp");

    public string? Operation => Value["operation"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public long? ReadVersion => TryGetLong("readVersion");

    public bool? IsBlindAppend => Value["isBlindAppend"] is JsonValue v && v.TryGetValue(out bool b) ? b : null;

    /// <summary>Builds the commitInfo this library writes.</summary>
    public static CommitInfoAction Create(
        long timestamp,
        string operation,
        IReadOnlyDictionary<string, string>? operationParameters,
        long? readVersion,
        bool isBlindAppend,
        IReadOnlyDictionary<string, long>? operationMetrics = null,
        string? txnId = null)
    {
        var parameters = new JsonObject();
        foreach (var (key, value) in operationParameters ?? new Dictionary<string, string>())
        {
            parameters[key] = value;
        }
        var value2 = new JsonObject
        {
            ["timestamp"] = timestamp,
            ["operation"] = operation,
            ["operationParameters"] = parameters,
        };
        if (readVersion is not null)
        {
            value2["readVersion"] = readVersion.Value;
        }
        value2["isolationLevel"] = "Serializable";
        value2["isBlindAppend"] = isBlindAppend;
        if (operationMetrics is not null)
        {
            var metrics = new JsonObject();
            foreach (var (key, metric) in operationMetrics)
            {
                // Spark writes metric values as strings; readers expect that shape
                metrics[key] = metric.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            value2["operationMetrics"] = metrics;
        }
        value2["engineInfo"] = "RetailEdge.Delta/1.0";
        if (txnId is not null)
        {
            // unique per transaction: lets a store tell its own retried write from another writer's
            value2["txnId"] = txnId;
        }
        return new CommitInfoAction(value2);
    }

    private long? TryGetLong(string name) =>
        Value[name] is JsonValue v && v.TryGetValue(out long l) ? l : null;
}
