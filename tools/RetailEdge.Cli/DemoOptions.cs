namespace RetailEdge.Cli;

/// <summary>What <c>retailedge demo</c> runs.</summary>
public sealed record DemoOptions
{
    public int Stores { get; init; } = 3;

    public string Profile { get; init; } = "small";

    public TimeSpan Duration { get; init; } = TimeSpan.FromDays(1);

    /// <summary>When the simulated traffic starts (each store's local wall-clock time unless <see cref="StartIsStoreLocal"/> is false).</summary>
    public DateTimeOffset Start { get; init; } = RetailEdge.Simulator.SimulationOptions.DefaultStart;

    public bool StartIsStoreLocal { get; init; } = true;

    public int Seed { get; init; } = 1;

    public string Faults { get; init; } = "default";

    public const string RoutingSource = "routing";
    public const string EventHubsSource = "eventhubs";

    public required string Directory { get; init; }

    /// <summary>How the processor reads the hub: <see cref="RoutingSource"/> (routed files) or <see cref="EventHubsSource"/> (the built-in endpoint, the default: it delivers in seconds, routing writes files at most every minute, BENCHMARKS.md freshness).</summary>
    public string Source { get; init; } = EventHubsSource;

    /// <summary>A live progress view (a terminal); otherwise one plain line per step.</summary>
    public bool Live { get; init; }

    /// <summary>The emulator's routing batch interval: short, so the demo does not wait.</summary>
    public TimeSpan RoutingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for the gateways' outboxes to drain.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(3);
}
