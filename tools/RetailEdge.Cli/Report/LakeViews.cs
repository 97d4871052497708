using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;

namespace RetailEdge.Cli.Report;

/// <summary>
/// One connection over every table the demo's summary reads — the terminal tables, the counts and
/// report.html — each as a view named by <see cref="LakeTableDefinition.ViewName"/>, so that each Delta log
/// is read once and all three show the same snapshot.
/// </summary>
public static class LakeViews
{
    public static IReadOnlyList<LakeTableDefinition> Tables { get; } =
    [
        LakeTables.BronzeTelemetry, LakeTables.Batch, LakeTables.Quarantine, LakeTables.SalesByDay, LakeTables.SalesPerMinute,
        LakeTables.MarginByStoreDay, LakeTables.CurrentInventory, LakeTables.StockoutRisk, LakeTables.Shrink,
        LakeTables.ProductPerformance, LakeTables.StoreHealth, LakeTables.ReferenceItem,
    ];

    /// <summary>A table that does not exist yet is an empty view with its columns.</summary>
    public static async Task<DuckDBConnection> OpenAsync(LakeContext lake, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        var connection = lake.Connect();
        try
        {
            foreach (var definition in Tables)
            {
                var table = lake.Table(definition);
                var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
                await table.CreateViewAsync(connection, definition.ViewName, snapshot?.Files ?? [], cancellationToken).ConfigureAwait(false);
            }
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
