namespace RetailEdge.Simulator;

/// <summary>
/// A region with its IANA time zone and the fixed UTC offset its stores stamp on events. The offset
/// is the zone's standard time (correct for the default November start); the simulator never
/// switches to daylight saving time, so a store's offset is the same for the whole run.
/// </summary>
internal sealed record StoreRegion(string Name, string Timezone, TimeSpan Offset, string[] Cities)
{
    public static IReadOnlyList<StoreRegion> All { get; } =
    [
        new("East", "America/New_York", TimeSpan.FromHours(-5), ["Boston", "Hartford", "Albany", "Newark", "Baltimore", "Richmond", "Raleigh", "Atlanta"]),
        new("Central", "America/Chicago", TimeSpan.FromHours(-6), ["Chicago", "Milwaukee", "Minneapolis", "St. Louis", "Kansas City", "Omaha", "Dallas", "Houston"]),
        new("Mountain", "America/Denver", TimeSpan.FromHours(-7), ["Denver", "Boulder", "Salt Lake City", "Albuquerque", "Cheyenne", "Billings", "Boise", "Santa Fe"]),
        new("West", "America/Los_Angeles", TimeSpan.FromHours(-8), ["Seattle", "Portland", "Sacramento", "San Jose", "Fresno", "Los Angeles", "San Diego", "Spokane"]),
    ];

    /// <summary>Stores are spread round-robin over the regions: store 1 East, 2 Central, 3 Mountain, 4 West, 5 East…</summary>
    public static StoreRegion Of(int storeId) => All[(storeId - 1) % All.Count];
}
