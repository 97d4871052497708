using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Contracts.Events;

namespace RetailEdge.Simulator;

/// <summary>
/// Decides, from its own seeded stream per store, which valid events get a fault, and builds the
/// faulty copies. It only ever adds or delays messages: the valid events themselves come from the
/// store streams unchanged.
/// </summary>
internal sealed class FaultInjector
{
    /// <summary>Fault kinds drawn per event, in threshold order.</summary>
    private static readonly string[] PerEventKinds =
    [
        FaultKinds.Duplicate, FaultKinds.OutOfOrder, FaultKinds.Late, FaultKinds.MalformedJson, FaultKinds.MissingField,
        FaultKinds.WrongStore, FaultKinds.FutureTimestamp, FaultKinds.Oversized, FaultKinds.UnknownItem,
    ];

    private readonly FaultSettings _settings;
    private readonly double[] _thresholds;
    private readonly SimRandom _random;
    private readonly int _storeId;
    private readonly string _storePrefix;
    private int _faultSeq;

    public FaultInjector(FaultSettings settings, int seed, int storeId)
    {
        _settings = settings;
        _storeId = storeId;
        _storePrefix = storeId.ToString("D3", CultureInfo.InvariantCulture);
        _random = SimRandom.Derive(seed, storeId, 7);
        _thresholds = new double[PerEventKinds.Length];
        var sum = 0.0;
        for (var i = 0; i < PerEventKinds.Length; i++)
        {
            sum += settings.RateOf(PerEventKinds[i]);
            _thresholds[i] = sum;
        }
    }

    /// <summary>The fault for the next valid event, or null.</summary>
    public string? Draw(StoreEvent storeEvent)
    {
        if (storeEvent is InventorySnapshotEvent && _settings.LateSnapshot > 0 && _random.Chance(_settings.LateSnapshot))
        {
            return FaultKinds.LateSnapshot;
        }
        var u = _random.NextDouble();
        for (var i = 0; i < _thresholds.Length; i++)
        {
            if (u < _thresholds[i])
            {
                return PerEventKinds[i];
            }
        }
        return null;
    }

    /// <summary>How long a delayed or resent message trails its event time.</summary>
    public TimeSpan DelayFor(string kind) => kind switch
    {
        FaultKinds.Duplicate => TimeSpan.FromMilliseconds(_random.Next(1_000, 10 * 60_000)),
        FaultKinds.OutOfOrder => TimeSpan.FromMilliseconds(_random.Next(5_000, 5 * 60_000)),
        FaultKinds.Late => TimeSpan.FromMilliseconds(_random.Next(10 * 60_000, 4 * 3_600_000)),
        FaultKinds.LateSnapshot => TimeSpan.FromMilliseconds(_random.Next(3_600_000, 8 * 3_600_000)),
        _ => TimeSpan.Zero,
    };

    /// <summary>
    /// An invalid message derived from a valid event: a copy with its own id (so it never collides
    /// with the original in a journal), then broken the way the kind says. Returns the bytes and the
    /// reason code a validator must give.
    /// </summary>
    public (byte[] Json, string Reason) Corrupt(string kind, StoreEvent template, byte[] templateJson, DateTimeOffset arrival)
    {
        var node = JsonNode.Parse(templateJson)!.AsObject();
        node["id"] = string.Create(CultureInfo.InvariantCulture, $"{_storePrefix}-{template.LocalDate:yyyyMMdd}-X{++_faultSeq:D6}");
        switch (kind)
        {
            case FaultKinds.MalformedJson:
            {
                var bytes = Serialize(node);
                // a connection cut mid-message, or a stray brace after it
                var broken = _random.Chance(0.7)
                    ? bytes.AsSpan(0, _random.Next(1, bytes.Length - 1)).ToArray()
                    : [.. bytes, (byte)'}'];
                return (broken, Contracts.Validation.ReasonCodes.MalformedJson);
            }
            case FaultKinds.MissingField:
            {
                var field = RemoveField(node);
                return (Serialize(node), Contracts.Validation.ReasonCodes.MissingField(field));
            }
            case FaultKinds.WrongStore:
                node["storeId"] = _storeId % SimulationOptions.MaxStores + 1;
                return (Serialize(node), Contracts.Validation.ReasonCodes.WrongStore);
            case FaultKinds.FutureTimestamp:
            {
                // a POS with its clock set days to years ahead
                var ahead = TimeSpan.FromMinutes(_random.Next(24 * 60, 3 * 365 * 24 * 60));
                node["ts"] = StoreEventJson.FormatTimestamp(arrival + ahead);
                return (Serialize(node), Contracts.Validation.ReasonCodes.FutureTimestamp);
            }
            case FaultKinds.Oversized:
                Inflate(node);
                return (Serialize(node), Contracts.Validation.ReasonCodes.TooLarge);
            case FaultKinds.UnknownItem:
                SetUnknownItem(node);
                return (Serialize(node), Contracts.Validation.ReasonCodes.UnknownItem);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a corrupting fault");
        }
    }

    /// <summary>The contract's relaxed escaping, so a faulty copy reads like its original.</summary>
    private static readonly JsonSerializerOptions NodeOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] Serialize(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(NodeOptions));

    private static JsonArray? LinesOf(JsonObject node) =>
        (node["lines"] ?? node["counts"]) as JsonArray;

    /// <summary>Removes one required field (top level or inside a line) and returns its name.</summary>
    private string RemoveField(JsonObject node)
    {
        var type = (string)node["type"]!;
        string[] topLevel = type switch
        {
            StoreEventTypes.Basket => ["type", "id", "storeId", "ts", "laneId", "channel", "lines"],
            StoreEventTypes.Weighing => ["type", "id", "storeId", "ts", "scaleId", "itemId", "netKg", "pricePerKg", "labelPrinted"],
            StoreEventTypes.InventoryChange => ["type", "id", "storeId", "ts", "changeType", "lines"],
            _ => ["type", "id", "storeId", "ts", "counts"],
        };
        string[] lineFields = type == StoreEventTypes.Basket ? ["itemId", "qty", "unitPrice"] : ["itemId", "qty"];
        if (LinesOf(node) is { } lines && _random.Chance(0.3))
        {
            var field = lineFields[_random.Next(lineFields.Length)];
            lines[_random.Next(lines.Count)]!.AsObject().Remove(field);
            return field;
        }
        var name = topLevel[_random.Next(topLevel.Length)];
        node.Remove(name);
        return name;
    }

    /// <summary>A runaway scanner: the lines repeated until the message is well over 64 KiB.</summary>
    private static void Inflate(JsonObject node)
    {
        var target = 72 * 1024;
        if (LinesOf(node) is { Count: > 0 } lines)
        {
            var template = lines[0]!.ToJsonString().Length + 1;
            var copies = target / template + 1;
            var first = lines[0]!;
            for (var i = 0; i < copies; i++)
            {
                lines.Add(first.DeepClone());
            }
        }
        else
        {
            node["note"] = new string('x', target);
        }
    }

    private void SetUnknownItem(JsonObject node)
    {
        var unknown = SimulationCatalog.UnknownItemIdBase + _random.Next(9_999);
        if (LinesOf(node) is { Count: > 0 } lines)
        {
            lines[_random.Next(lines.Count)]!["itemId"] = unknown;
        }
        else
        {
            node["itemId"] = unknown;
        }
    }
}
