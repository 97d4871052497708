namespace RetailEdge.IotHubService;

/// <summary>One page of a twin query and the token for the next page (null when this is the last).</summary>
public sealed record TwinQueryPage(IReadOnlyList<Twin> Items, string? ContinuationToken);
