namespace RetailEdge.Deployment;

/// <summary>Why a manifest is refused: a reason code for scripts, where in the manifest, and what to change.</summary>
public sealed record ManifestProblem(string Code, string Path, string Message)
{
    public override string ToString() => $"{Code} at {Path}: {Message}";
}
