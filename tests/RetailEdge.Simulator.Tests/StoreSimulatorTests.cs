using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;
using RetailEdge.Simulator;

namespace RetailEdge.Simulator.Tests;

public sealed class StoreSimulatorTests
{
    [Fact]
    public void Generate_SmallProfileOneDay_EveryEventValidatesInArrivalOrder()
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "small", Stores = 3, Seed = 7 });
        var validators = Enumerable.Range(1, 3).ToDictionary(s => s, s => new EventValidator(new EventValidationOptions
        {
            ExpectedStoreId = s,
            KnownItems = simulator.Catalog.ItemIdsOf(s),
        }));
        var previous = DateTimeOffset.MinValue;
        var types = new Dictionary<string, int>();
        var ids = new HashSet<string>();
        foreach (var e in simulator.Generate())
        {
            Assert.True(e.ArrivalTime >= previous, $"arrival order broken at {e.Event?.Id}");
            previous = e.ArrivalTime;
            var result = validators[e.StoreId].Validate(e.Json, e.ArrivalTime);
            Assert.True(result.IsValid, $"{result.Reason} {result.Detail}: {System.Text.Encoding.UTF8.GetString(e.Json)}");
            Assert.True(ids.Add(result.Event!.Id));
            Assert.Equal(e.Json, StoreEventJson.Serialize(result.Event));
            Assert.Equal(e.Json, StoreEventJson.Serialize(e.Event!));
            types[result.Event.Type] = types.GetValueOrDefault(result.Event.Type) + 1;
        }
        Assert.Equal(StoreEventTypes.All.Order(), types.Keys.Order());
    }
}
