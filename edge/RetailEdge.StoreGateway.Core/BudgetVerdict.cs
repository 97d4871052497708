namespace RetailEdge.StoreGateway.Core;

/// <summary>What one call of <see cref="GatewayJournal.EnforceBudget"/> ended with.</summary>
public enum BudgetVerdict
{
    /// <summary>Its time ran out while still over budget: call again with the same sweep.</summary>
    Unfinished,

    /// <summary>The journal's pages in use fit the budget.</summary>
    WithinBudget,

    /// <summary>Nothing more may be deleted and the journal is still over budget.</summary>
    OverBudget,
}
