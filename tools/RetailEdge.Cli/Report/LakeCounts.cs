using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;

namespace RetailEdge.Cli.Report;

/// <summary>
/// The run's counts as the lake holds them — the one place the demo's printed numbers and report.html's
/// figures come from, so that they agree with gold.store_health and silver.quarantine by construction.
/// </summary>
public sealed record LakeCounts(
    long Messages,
    long BillableUnits,
    long Batches,
    long RejectedAtGateways,
    long QuarantinedInCloud,
    long SeqConflicts,
    long BufferedBatches,
    long Transactions,
    decimal Revenue)
{
    /// <summary>Reads the counts over <see cref="LakeViews"/>.</summary>
    public static LakeCounts Read(DuckDBConnection views)
    {
        ArgumentNullException.ThrowIfNull(views);
        long Sum(string view, string column) => views.Scalar<long>($"SELECT CAST(coalesce(sum({column}), 0) AS BIGINT) FROM {view}");
        long Count(string view) => views.Scalar<long>($"SELECT count(*) FROM {view}");
        var health = LakeTables.StoreHealth.ViewName;
        return new LakeCounts(
            Messages: Count(LakeTables.BronzeTelemetry.ViewName),
            // IoT Hub bills each device message by started 4 KB
            BillableUnits: Sum(LakeTables.BronzeTelemetry.ViewName, "greatest(1, ceil(octet_length(body) / 4096.0))"),
            Batches: Count(LakeTables.Batch.ViewName),
            RejectedAtGateways: Sum(health, "rejected"),
            QuarantinedInCloud: Count(LakeTables.Quarantine.ViewName),
            SeqConflicts: Sum(health, "seq_conflicts"),
            BufferedBatches: Sum(health, "buffered_batches"),
            Transactions: Sum(LakeTables.SalesByDay.ViewName, "transactions"),
            Revenue: views.Scalar<decimal>($"SELECT CAST(coalesce(sum(revenue), 0) AS DECIMAL(38, 4)) FROM {LakeTables.SalesByDay.ViewName}"));
    }
}
