namespace RetailEdge.Simulator;

/// <summary>
/// The size and rhythm of a simulated store-day. The figures are averages over a week (weekdays are
/// a little quieter, Friday and Saturday busier); <see cref="Reference"/> matches ARCHITECTURE.md §11.
/// </summary>
public sealed record SimulationProfile
{
    public required string Name { get; init; }

    /// <summary>POS lanes (lane-01 … lane-NN); how many are open follows the daily curve.</summary>
    public required int Lanes { get; init; }

    /// <summary>Produce/deli scales (scale-1 … scale-N).</summary>
    public required int Scales { get; init; }

    /// <summary>Items in the shared catalogue (item.csv).</summary>
    public required int CatalogueSize { get; init; }

    /// <summary>Items each store carries (assortment.csv); a full count counts all of them.</summary>
    public required int AssortmentSize { get; init; }

    public required int BasketsPerDay { get; init; }

    /// <summary>Average lines per basket (returns and weighed lines included).</summary>
    public required double MeanBasketLines { get; init; }

    public required int WeighingsPerDay { get; init; }

    /// <summary>Deliveries per day; each carries at most RestockLinesPerDay / Deliveries lines.</summary>
    public required int Deliveries { get; init; }

    public required int RestockLinesPerDay { get; init; }

    public required int ShrinkLinesPerDay { get; init; }

    public required int AdjustmentsPerDay { get; init; }

    /// <summary>A full count of the assortment on the run's first day and every N days after.</summary>
    public required int FullCountEveryDays { get; init; }

    /// <summary>Counted items per snapshot event of a full count (keeps each event well under 64 KiB).</summary>
    public required int CountChunkSize { get; init; }

    public required int CycleCountsPerDay { get; init; }

    public required int CycleCountItems { get; init; }

    /// <summary>Loyalty members of a store.</summary>
    public required int Customers { get; init; }

    public required int OpenHour { get; init; }

    public required int CloseHour { get; init; }

    /// <summary>Basket lines per store-day implied by the figures above.</summary>
    public double BasketLinesPerDay => BasketsPerDay * MeanBasketLines;

    /// <summary>
    /// Events (JSON lines) per store-day on average: baskets, weighings, deliveries, shrink events
    /// (three lines each on average), adjustments, cycle counts and the full count's share.
    /// </summary>
    public double EventsPerDay =>
        BasketsPerDay + WeighingsPerDay + Deliveries + Math.Max(1, Math.Round(ShrinkLinesPerDay / 3.0)) + AdjustmentsPerDay + CycleCountsPerDay
        + Math.Ceiling(AssortmentSize / (double)CountChunkSize) / FullCountEveryDays;

    /// <summary>Restock events per store-day (one per delivery).</summary>
    public int RestockEventsPerDay => Deliveries;

    public static SimulationProfile Small { get; } = new()
    {
        Name = "small",
        Lanes = 2,
        Scales = 1,
        CatalogueSize = 600,
        AssortmentSize = 500,
        BasketsPerDay = 300,
        MeanBasketLines = 12,
        WeighingsPerDay = 60,
        Deliveries = 2,
        RestockLinesPerDay = 30,
        ShrinkLinesPerDay = 6,
        AdjustmentsPerDay = 1,
        FullCountEveryDays = 5,
        CountChunkSize = 1000,
        CycleCountsPerDay = 1,
        CycleCountItems = 10,
        Customers = 400,
        OpenHour = 8,
        CloseHour = 20,
    };

    public static SimulationProfile Reference { get; } = new()
    {
        Name = "reference",
        Lanes = 12,
        Scales = 2,
        CatalogueSize = 9000,
        AssortmentSize = 8000,
        BasketsPerDay = 4000,
        MeanBasketLines = 25,
        WeighingsPerDay = 1200,
        Deliveries = 3,
        RestockLinesPerDay = 300,
        ShrinkLinesPerDay = 60,
        AdjustmentsPerDay = 2,
        FullCountEveryDays = 5,
        CountChunkSize = 1000,
        CycleCountsPerDay = 2,
        CycleCountItems = 25,
        Customers = 6000,
        OpenHour = 7,
        CloseHour = 22,
    };

    public static SimulationProfile Busy { get; } = new()
    {
        Name = "busy",
        Lanes = 20,
        Scales = 4,
        CatalogueSize = 13000,
        AssortmentSize = 12000,
        BasketsPerDay = 8000,
        MeanBasketLines = 25,
        WeighingsPerDay = 2400,
        Deliveries = 4,
        RestockLinesPerDay = 600,
        ShrinkLinesPerDay = 120,
        AdjustmentsPerDay = 4,
        FullCountEveryDays = 5,
        CountChunkSize = 1000,
        CycleCountsPerDay = 3,
        CycleCountItems = 30,
        Customers = 12000,
        OpenHour = 6,
        CloseHour = 23,
    };

    public static IReadOnlyList<SimulationProfile> All { get; } = [Small, Reference, Busy];

    public static bool TryGet(string? name, out SimulationProfile profile)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                profile = candidate;
                return true;
            }
        }
        profile = Small;
        return false;
    }

    /// <summary>The profile of that name; throws naming the known ones otherwise.</summary>
    public static SimulationProfile FromName(string name) =>
        TryGet(name, out var profile)
            ? profile
            : throw new ArgumentException($"unknown profile '{name}' (expected small, reference or busy)", nameof(name));
}
