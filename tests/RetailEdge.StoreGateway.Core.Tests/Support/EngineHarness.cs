using RetailEdge.Contracts.Twin;
using RetailEdge.Simulator;
using RetailEdge.StoreGateway.Core;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Testing;

/// <summary>
/// A gateway engine on a real SQLite file in a temp folder, with a fake clock that follows the
/// simulated arrival times, an in-memory hub, the module handler and the uplink.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TempDirectory? _ownedDirectory;
    private readonly Task _engineLoop;
    private Task? _uplinkLoop;

    public EngineHarness(int storeId, GatewaySettings? settings = null, DateTimeOffset? start = null, string? dataDirectory = null, long? diskBudgetBytes = null,
        Func<GatewayEngineOptions, GatewayEngineOptions>? configure = null, string? referenceDataFileRoot = null)
    {
        if (dataDirectory is null)
        {
            _ownedDirectory = new TempDirectory("gateway");
            dataDirectory = _ownedDirectory.Path;
        }
        DataDirectory = dataDirectory;
        Time = new ManualClock(start ?? new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));
        var options = new GatewayEngineOptions
        {
            StoreId = storeId,
            GatewayId = SimulationCatalog.DeviceIdOf(storeId),
            DataDirectory = dataDirectory,
            InitialSettings = settings ?? GatewaySettings.Default,
            TimeProvider = Time,
            SealTick = TimeSpan.FromMilliseconds(50),
            MaintenanceInterval = TimeSpan.FromMilliseconds(200),
            DiskBudgetBytesOverride = diskBudgetBytes,
            UplinkMinBackoff = TimeSpan.FromMilliseconds(20),
            UplinkMaxBackoff = TimeSpan.FromMilliseconds(200),
        };
        Engine = new GatewayEngine(configure is null ? options : configure(options));
        Transport = new InMemoryHubTransport();
        Module = new GatewayModule(Engine, Transport, new HttpClient(), new LogLevelSwitch())
        {
            ReportInterval = TimeSpan.FromMilliseconds(100),
            ReferenceDataFileRoot = referenceDataFileRoot,
        };
        _engineLoop = Task.Run(() => Engine.RunAsync(_stop.Token));
    }

    public string DataDirectory { get; }

    public ManualClock Time { get; }

    public GatewayEngine Engine { get; }

    public InMemoryHubTransport Transport { get; }

    public GatewayModule Module { get; }

    public OutboxUplink? Uplink { get; private set; }

    public async Task StartHubAsync()
    {
        await Transport.StartAsync(Module, _stop.Token);
        Uplink = new OutboxUplink(Engine, Transport);
        _uplinkLoop = Task.Run(() => Uplink.RunAsync(_stop.Token));
    }

    /// <summary>Feeds simulated events in arrival order, in groups, with the clock at each group's last arrival.</summary>
    public async Task<List<(SimulatedEvent Event, IngestOutcome Outcome)>> FeedAsync(IEnumerable<SimulatedEvent> events, int groupSize = 256, Func<Task>? afterGroup = null, TimeSpan? groupSpan = null)
    {
        var results = new List<(SimulatedEvent, IngestOutcome)>();
        var group = new List<SimulatedEvent>(groupSize);
        async Task FlushGroup()
        {
            if (group.Count == 0)
            {
                return;
            }
            var last = group[^1].ArrivalTime;
            if (last > Time.GetUtcNow())
            {
                Time.SetUtcNow(last);
            }
            var outcomes = await Engine.IngestAsync(group.Select(e => (ReadOnlyMemory<byte>)e.Json).ToList(), IngestSources.Test, CancellationToken.None);
            results.AddRange(group.Zip(outcomes));
            group.Clear();
            if (afterGroup is not null)
            {
                await afterGroup();
            }
        }
        foreach (var e in events)
        {
            // A group spans at most a simulated minute by default: the clock moves at group boundaries.
            if (group.Count > 0 && (group.Count >= groupSize || e.ArrivalTime - group[0].ArrivalTime > (groupSpan ?? TimeSpan.FromMinutes(1))))
            {
                await FlushGroup();
            }
            group.Add(e);
        }
        await FlushGroup();
        return results;
    }

    /// <summary>
    /// The WAN is down: feeds the events with the hub offline (running retention and the disk budget
    /// every few groups), then seals everything an hour later. Returns the backlog's status and the
    /// most journal bytes seen on the way.
    /// </summary>
    public async Task<(GatewayStatus Backlog, long MaxJournalBytes)> FeedOfflineAsync(IEnumerable<SimulatedEvent> events, int maintainEveryGroups = 20)
    {
        Transport.Online = false;
        await StartHubAsync();
        long maxUsed = 0;
        var groups = 0;
        await FeedAsync(events, afterGroup: async () =>
        {
            if (++groups % maintainEveryGroups == 0)
            {
                await Engine.MaintainAsync(CancellationToken.None);
                maxUsed = Math.Max(maxUsed, (await Engine.GetStatusAsync(CancellationToken.None)).JournalBytes);
            }
        });
        Time.Advance(TimeSpan.FromHours(1));
        await Engine.FlushAsync(CancellationToken.None);
        await Engine.MaintainAsync(CancellationToken.None);
        return (await Engine.GetStatusAsync(CancellationToken.None), maxUsed);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _engineLoop;
        if (_uplinkLoop is not null)
        {
            await _uplinkLoop;
        }
        Engine.Dispose();
        _stop.Dispose();
        _ownedDirectory?.Dispose();
    }
}
