namespace RetailEdge.Cli.Lake.Tests;

/// <summary>The CLI writes to the process-wide Console: its tests never run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LakeCollection
{
    public const string Name = "lake-cli";
}
