using RetailEdge.Contracts.Events;
using RetailEdge.Simulator;

namespace RetailEdge.Cli;

/// <summary>What the simulate command wrote: messages, valid events per type, basket lines, bytes.</summary>
internal sealed class SimulateTally
{
    public long Messages { get; private set; }

    public long Bytes { get; private set; }

    public long BasketLines { get; private set; }

    public long ChangeLines { get; private set; }

    public long CountLines { get; private set; }

    public long Rejectable { get; private set; }

    public Dictionary<string, long> ValidByType { get; } = StoreEventTypes.All.ToDictionary(t => t, _ => 0L, StringComparer.Ordinal);

    public void Add(SimulatedEvent simulated)
    {
        Messages++;
        Bytes += simulated.Json.Length + 1;
        if (simulated.ExpectedReason is not null || simulated.Event is null)
        {
            Rejectable++;
            return;
        }
        ValidByType[simulated.Event.Type]++;
        switch (simulated.Event)
        {
            case BasketEvent basket:
                BasketLines += basket.Lines.Count;
                break;
            case InventoryChangeEvent change:
                ChangeLines += change.Lines.Count;
                break;
            case InventorySnapshotEvent snapshot:
                CountLines += snapshot.Counts.Count;
                break;
        }
    }
}
