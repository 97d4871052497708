using System.Globalization;
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
    private static readonly LakeTableDefinition[] Tables =
        [LakeTables.BronzeTelemetry, LakeTables.Batch, LakeTables.StoreHealth, LakeTables.Quarantine, LakeTables.SalesByDay];

    public static async Task<LakeCounts> ReadAsync(LakeContext lake, CancellationToken cancellationToken)
    {
        using var connection = await GoldReportReader.OpenViewsAsync(lake, Tables, cancellationToken).ConfigureAwait(false);
        var health = LongRow(connection,
            $"SELECT CAST(coalesce(sum(rejected), 0) AS BIGINT), CAST(coalesce(sum(buffered_batches), 0) AS BIGINT), CAST(coalesce(sum(seq_conflicts), 0) AS BIGINT) FROM {LakeTables.StoreHealth.ViewName}");
        return new LakeCounts(
            Messages: LongRow(connection, $"SELECT count(*) FROM {LakeTables.BronzeTelemetry.ViewName}")[0],
            BillableUnits: GoldReportReader.BillableUnits(connection),
            Batches: LongRow(connection, $"SELECT count(*) FROM {LakeTables.Batch.ViewName}")[0],
            RejectedAtGateways: health[0],
            QuarantinedInCloud: LongRow(connection, $"SELECT count(*) FROM {LakeTables.Quarantine.ViewName}")[0],
            SeqConflicts: health[2],
            BufferedBatches: health[1],
            Transactions: LongRow(connection, $"SELECT CAST(coalesce(sum(transactions), 0) AS BIGINT) FROM {LakeTables.SalesByDay.ViewName}")[0],
            Revenue: Decimal(connection, $"SELECT CAST(coalesce(sum(revenue), 0) AS DECIMAL(38, 4)) FROM {LakeTables.SalesByDay.ViewName}"));
    }

    private static long[] LongRow(DuckDBConnection connection, string sql)
    {
        using var reader = connection.Query(sql);
        reader.Read();
        var values = new long[reader.FieldCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? 0 : Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);
        }
        return values;
    }

    private static decimal Decimal(DuckDBConnection connection, string sql)
    {
        using var reader = connection.Query(sql);
        return reader.Read() && !reader.IsDBNull(0) ? Convert.ToDecimal(reader.GetValue(0), CultureInfo.InvariantCulture) : 0m;
    }
}
