namespace RetailEdge.Deployment;

/// <summary>The reason codes of <see cref="ManifestProblem"/>.</summary>
public static class ManifestProblemCodes
{
    public const string NotJson = "not_json";
    public const string UnresolvedPlaceholder = "unresolved_placeholder";
    public const string Schema = "schema";
    public const string Route = "route";
    public const string CreateOptions = "create_options";
    public const string TwinLimit = "twin_limit";
    public const string Settings = "settings";
}
