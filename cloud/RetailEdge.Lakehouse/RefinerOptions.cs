namespace RetailEdge.Lakehouse;

/// <summary>Options of the refiner (bronze → silver).</summary>
public sealed record RefinerOptions
{
    /// <summary>The txn appId recorded in every silver table: its version is the bronze version refined through.</summary>
    public string AppId { get; init; } = "retailedge-refiner";

    /// <summary>How many bronze commits one refiner run reads at most.</summary>
    public int MaxBronzeCommits { get; init; } = 20;

    public RefinerOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(AppId) || MaxBronzeCommits < 1)
        {
            throw new ArgumentException("RefinerOptions.AppId must be set and MaxBronzeCommits positive");
        }
        return this;
    }
}
