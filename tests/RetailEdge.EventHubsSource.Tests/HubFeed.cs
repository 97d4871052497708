using System.Text.Json;
using RetailEdge.HubEmulator;
using RetailEdge.IotHub;
using RetailEdge.Lakehouse;
using RetailEdge.Testing;

namespace RetailEdge.EventHubsSource.Tests;

/// <summary>
/// The local hub emulator on free loopback ports, and the device messages of a scenario's routed
/// files sent through it by their modules over MQTT, as gateways send them: the emulator appends
/// each to its device's partition of the Event Hubs-compatible endpoint.
/// </summary>
internal sealed class HubFeed : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Dictionary<(string Device, string Module), IotHubModuleClient> _modules = [];

    private HubFeed(HubEmulator.HubEmulator emulator) => Emulator = emulator;

    public HubEmulator.HubEmulator Emulator { get; }

    public static async Task<HubFeed> StartAsync(string directory)
    {
        var emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = Path.Combine(directory, "registry.json"),
            HubName = "retailhub",
            RoutingTarget = Path.Combine(directory, "routing"),
            BatchInterval = TimeSpan.FromSeconds(30),
        }, TimeProvider.System);
        await emulator.StartAsync(CancellationToken.None);
        return new HubFeed(emulator);
    }

    /// <summary>The device messages of routed files, in enqueued order (replays included, as a gateway resends them).</summary>
    public static List<RoutedRecord> ReadMessages(string routedFolder)
    {
        var records = new List<RoutedRecord>();
        foreach (var file in Directory.EnumerateFiles(routedFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            records.AddRange(RoutedRecordParser.Parse(stream));
        }
        return [.. records.OrderBy(r => r.EnqueuedTime).ThenBy(r => r.MessageId, StringComparer.Ordinal)];
    }

    public async Task SendAsync(RoutedRecord record, CancellationToken cancellationToken)
    {
        var key = (record.DeviceId!, record.ModuleId!);
        if (!_modules.TryGetValue(key, out var module))
        {
            await Emulator.Registry.AddModuleAsync(key.Item1, key.Item2, cancellationToken);
            module = new IotHubModuleClient(Emulator.ModuleClientOptions(key.Item1, key.Item2));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Patience);
            await module.OpenAsync(timeout.Token);
            _modules[key] = module;
        }
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var document = JsonDocument.Parse(record.Properties ?? "{}"))
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                properties[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }
        await module.SendEventAsync(new IotHubMessage(record.Body)
        {
            MessageId = record.MessageId,
            ContentType = record.ContentType,
            ContentEncoding = record.ContentEncoding,
            Properties = properties,
        }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var module in _modules.Values)
        {
            await module.DisposeAsync();
        }
        await Emulator.DisposeAsync();
    }
}
