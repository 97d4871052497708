namespace RetailEdge.ReferencePublishing;

/// <summary>What <see cref="ReferenceSetPlanner"/> made of the reference tables: one set per store, and the rows it could not use.</summary>
public sealed record ReferenceSetPlan(IReadOnlyList<StoreReferenceSet> Sets, IReadOnlyList<string> Problems);
