using System.Globalization;
using RetailEdge.Contracts.Reference;

namespace RetailEdge.Simulator;

/// <summary>
/// The reference data of a simulation: stores, the item catalogue (departments, prices, costs,
/// safety stock), change types and each store's assortment. It depends only on the profile, the
/// seed and the store count, never on the start, duration or faults.
/// </summary>
public sealed class SimulationCatalog
{
    /// <summary>Item ids at or above this are never in a catalogue (the unknown_item fault uses them).</summary>
    public const long UnknownItemIdBase = 990_000;

    /// <summary>The first catalogue item id (item ids are consecutive from here, in department order).</summary>
    public const long FirstItemId = 100_001;

    /// <summary>Average units per basket line of an item sold by the piece.</summary>
    internal const double MeanLineQty = 1.42;

    /// <summary>Average net weight of a weighing.</summary>
    internal const double MeanNetKg = 0.65;

    private readonly int[][] _assortments;
    private readonly Lazy<IReadOnlyList<AssortmentEntry>> _assortment;
    private readonly Lazy<IReadOnlySet<long>> _catalogueIds;
    private readonly Dictionary<int, IReadOnlySet<long>> _storeItemIds = [];

    public SimulationCatalog(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Profile = options.ResolvedProfile;
        Seed = options.Seed;
        var n = Profile.CatalogueSize;
        ItemIds = new long[n];
        Prices = new decimal[n];
        Costs = new decimal[n];
        Weighed = new bool[n];
        Popularity = new double[n];
        DailyDemand = new double[n];
        SafetyStock = new decimal[n];
        DepartmentOf = new int[n];
        var random = SimRandom.Derive(options.Seed, 0, 1);
        var items = new List<ItemReference>(n);

        // popularity: a random rank per item, weight 1/(rank+10)^1.1 (Zipf–Mandelbrot): the top item
        // takes a few percent of the lines, the tail sells about one unit a day
        var ranks = new int[n];
        for (var i = 0; i < n; i++)
        {
            ranks[i] = i;
        }
        for (var i = n - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (ranks[i], ranks[j]) = (ranks[j], ranks[i]);
        }
        Ranks = ranks;

        var departments = Department.All;
        var boundary = 0.0;
        var index = 0;
        for (var d = 0; d < departments.Count; d++)
        {
            var department = departments[d];
            boundary += department.Share;
            var end = d == departments.Count - 1 ? n : Math.Min(n, (int)Math.Round(boundary * n));
            for (; index < end; index++)
            {
                var weighed = random.Chance(department.WeighedShare);
                var cents = PriceCents(department.MedianPrice * (weighed ? 1.6 : 1.0) * Math.Exp(0.45 * random.NextNormal()));
                var margin = Math.Clamp(department.Margin * (0.8 + 0.4 * random.NextDouble()), 0.05, 0.8);
                var costCents = Math.Max(1, (long)Math.Round(cents * (1 - margin)));
                var name = string.Create(CultureInfo.InvariantCulture,
                    $"{Department.Brands[random.Next(Department.Brands.Length)]} {department.Nouns[random.Next(department.Nouns.Length)]}{(weighed ? string.Empty : " " + department.Sizes[random.Next(department.Sizes.Length)])}");
                ItemIds[index] = FirstItemId + index;
                Prices[index] = new decimal((int)cents, 0, 0, false, 2);
                Costs[index] = new decimal((int)costCents, 0, 0, false, 2);
                Weighed[index] = weighed;
                DepartmentOf[index] = d;
                Popularity[index] = Math.Pow(ranks[index] + 10, -1.1);
                var supplier = department.SupplierBase + random.Next(12);
                items.Add(new ItemReference(ItemIds[index], name, department.Name, supplier, 0m, weighed ? "kg" : "each", Prices[index], Costs[index]));
            }
        }

        // expected daily demand per item at one store, and safety stock of 1.5 days of it
        var pieceWeight = 0.0;
        var weighedWeight = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (Weighed[i])
            {
                weighedWeight += Popularity[i];
            }
            else
            {
                pieceWeight += Popularity[i];
            }
        }
        var pieceUnits = (Profile.BasketLinesPerDay - Profile.WeighingsPerDay) * MeanLineQty;
        var weighedKg = Profile.WeighingsPerDay * MeanNetKg;
        for (var i = 0; i < n; i++)
        {
            DailyDemand[i] = Weighed[i]
                ? weighedKg * Popularity[i] / Math.Max(weighedWeight, double.Epsilon)
                : pieceUnits * Popularity[i] / pieceWeight;
            SafetyStock[i] = Weighed[i]
                ? new decimal(Math.Max(1.0, Math.Round(1.5 * DailyDemand[i], 1)))
                : Math.Max(2, (int)Math.Ceiling(1.5 * DailyDemand[i]));
            items[i] = items[i] with { SafetyStockQuantity = SafetyStock[i] };
        }
        Items = items;

        var stores = new List<StoreReference>(options.Stores);
        _assortments = new int[options.Stores][];
        for (var storeId = 1; storeId <= options.Stores; storeId++)
        {
            var region = StoreRegion.Of(storeId);
            var city = region.Cities[(storeId - 1) / StoreRegion.All.Count % region.Cities.Length];
            stores.Add(new StoreReference(storeId, string.Create(CultureInfo.InvariantCulture, $"RetailEdge {city} #{storeId:D3}"), region.Name, region.Timezone, DeviceIdOf(storeId)));
            _assortments[storeId - 1] = BuildAssortment(SimRandom.Derive(options.Seed, storeId, 3));
        }
        Stores = stores;
        ChangeTypes = ChangeTypesReference;
        _assortment = new Lazy<IReadOnlyList<AssortmentEntry>>(BuildAssortmentEntries);
        _catalogueIds = new Lazy<IReadOnlySet<long>>(() => new HashSet<long>(ItemIds));
    }

    public SimulationProfile Profile { get; }

    public int Seed { get; }

    public IReadOnlyList<StoreReference> Stores { get; }

    public IReadOnlyList<ItemReference> Items { get; }

    public IReadOnlyList<ChangeTypeReference> ChangeTypes { get; }

    /// <summary>(store, item) for every item each store carries; built on first use.</summary>
    public IReadOnlyList<AssortmentEntry> Assortment => _assortment.Value;

    /// <summary>Every catalogue item id.</summary>
    public IReadOnlySet<long> CatalogueItemIds => _catalogueIds.Value;

    /// <summary>The six change types with their ids (reference.change_type).</summary>
    public static IReadOnlyList<ChangeTypeReference> ChangeTypesReference { get; } =
        [.. AllChangeTypes()];

    internal long[] ItemIds { get; }

    internal decimal[] Prices { get; }

    internal decimal[] Costs { get; }

    internal bool[] Weighed { get; }

    internal double[] Popularity { get; }

    internal int[] Ranks { get; }

    internal double[] DailyDemand { get; }

    internal decimal[] SafetyStock { get; }

    internal int[] DepartmentOf { get; }

    /// <summary>The gateway device id of a store: store017-gw.</summary>
    public static string DeviceIdOf(int storeId) => string.Create(CultureInfo.InvariantCulture, $"store{storeId:D3}-gw");

    public StoreReference Store(int storeId)
    {
        CheckStore(storeId);
        return Stores[storeId - 1];
    }

    /// <summary>The fixed UTC offset stamped on every event of the store.</summary>
    public TimeSpan OffsetOf(int storeId)
    {
        CheckStore(storeId);
        return StoreRegion.Of(storeId).Offset;
    }

    /// <summary>The item ids a store carries, ascending.</summary>
    public IReadOnlyList<long> AssortmentOf(int storeId)
    {
        CheckStore(storeId);
        var indexes = _assortments[storeId - 1];
        var ids = new long[indexes.Length];
        for (var i = 0; i < indexes.Length; i++)
        {
            ids[i] = ItemIds[indexes[i]];
        }
        return ids;
    }

    /// <summary>The store's item ids as a set, e.g. for <c>EventValidationOptions.KnownItems</c>.</summary>
    public IReadOnlySet<long> ItemIdsOf(int storeId)
    {
        lock (_storeItemIds)
        {
            if (!_storeItemIds.TryGetValue(storeId, out var set))
            {
                set = new HashSet<long>(AssortmentOf(storeId));
                _storeItemIds[storeId] = set;
            }
            return set;
        }
    }

    /// <summary>What the store's gateway gets through its twin: prices, costs and safety stock of its assortment.</summary>
    public ReferenceDataSet ReferenceSetFor(int storeId)
    {
        CheckStore(storeId);
        var indexes = _assortments[storeId - 1];
        var items = new ReferenceItem[indexes.Length];
        for (var i = 0; i < indexes.Length; i++)
        {
            var c = indexes[i];
            items[i] = new ReferenceItem(ItemIds[c], Prices[c], Costs[c], SafetyStock[c]);
        }
        return new ReferenceDataSet(storeId, items);
    }

    /// <summary>Catalogue indexes (ascending) of a store's assortment.</summary>
    internal int[] AssortmentIndexes(int storeId) => _assortments[storeId - 1];

    private static IEnumerable<ChangeTypeReference> AllChangeTypes()
    {
        foreach (var type in Contracts.Events.ChangeTypes.All)
        {
            yield return new ChangeTypeReference(Contracts.Events.ChangeTypes.IdOf(type), type);
        }
    }

    /// <summary>Psychological pricing: whole tenths ending in 9 cents, at least 0.29.</summary>
    private static long PriceCents(double price)
    {
        var tenths = (long)Math.Floor(Math.Clamp(price, 0.2, 199.9) * 10);
        return Math.Max(29, tenths * 10 + 9);
    }

    /// <summary>A store drops a random part of the slower half of the catalogue.</summary>
    private int[] BuildAssortment(SimRandom random)
    {
        var n = Profile.CatalogueSize;
        var drop = n - Profile.AssortmentSize;
        var excluded = new bool[n];
        var slow = new List<int>(n);
        for (var i = 0; i < n; i++)
        {
            if (Ranks[i] >= n / 2)
            {
                slow.Add(i);
            }
        }
        for (var k = 0; k < drop && slow.Count > 0; k++)
        {
            var pick = random.Next(slow.Count);
            excluded[slow[pick]] = true;
            slow[pick] = slow[^1];
            slow.RemoveAt(slow.Count - 1);
        }
        var result = new List<int>(Profile.AssortmentSize);
        for (var i = 0; i < n; i++)
        {
            if (!excluded[i])
            {
                result.Add(i);
            }
        }
        return [.. result];
    }

    private List<AssortmentEntry> BuildAssortmentEntries()
    {
        var entries = new List<AssortmentEntry>(_assortments.Length * Profile.AssortmentSize);
        for (var s = 0; s < _assortments.Length; s++)
        {
            foreach (var index in _assortments[s])
            {
                entries.Add(new AssortmentEntry(s + 1, ItemIds[index]));
            }
        }
        return entries;
    }

    private void CheckStore(int storeId)
    {
        if (storeId < 1 || storeId > _assortments.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(storeId), storeId, $"the simulation has stores 1..{_assortments.Length}");
        }
    }
}
