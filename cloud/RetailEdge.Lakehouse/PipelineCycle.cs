namespace RetailEdge.Lakehouse;

/// <summary>One lander → refiner → builder pass.</summary>
public sealed record PipelineCycle(LandResult Land, RefineResult Refine, BuildResult? Build)
{
    /// <summary>True when the pass found nothing to do, so a `--once` run can stop.</summary>
    public bool Idle => Land.Files == 0 && Refine.BronzeVersion is null && (Build is null || Build.Tables.Count == 0);
}
