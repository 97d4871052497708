using RetailEdge.Delta.Storage;
using RetailEdge.Contracts.Reference;
using RetailEdge.Delta.Actions;
using DuckDB.NET.Data;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Loads reference CSVs (store.csv, item.csv, change_type.csv, optional assortment.csv, the
/// simulator's --reference-out) into reference.store/item/change_type/assortment, each replaced
/// as a whole in one commit. Parsing errors name the file and stop before anything is written.
/// </summary>
public sealed class ReferenceLoader
{
    private readonly LakeContext _lake;

    public ReferenceLoader(LakeContext lake) => _lake = lake ?? throw new ArgumentNullException(nameof(lake));

    /// <summary>device_id → store_id from reference.store; null when reference data was never loaded.</summary>
    public static async Task<Dictionary<string, int>?> ReadStoresByDeviceAsync(LakeContext lake, DuckDBConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(connection);
        var table = lake.Table(LakeTables.ReferenceStore);
        var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot is null)
        {
            return null;
        }
        var sql = await table.SelectSqlAsync(snapshot.Files, cancellationToken).ConfigureAwait(false);
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        using var result = connection.Query($"SELECT device_id, store_id FROM ({sql}) WHERE device_id IS NOT NULL", cancellationToken);
        while (result.Read())
        {
            map[result.GetString(0)] = result.GetInt32(1);
        }
        return map;
    }

    /// <summary>Returns table → rows written.</summary>
    public async Task<IReadOnlyDictionary<string, int>> LoadAsync(string folder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"reference folder {folder} does not exist");
        }
        async Task<string?> ReadAsync(string name, bool required)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                return required ? throw new FileNotFoundException($"{name} is missing in {folder}", path) : null;
            }
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        IReadOnlyList<T> Parse<T>(string name, string content, Func<string, IReadOnlyList<T>> parse)
        {
            try
            {
                return parse(content);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{name}: {e.Message}", e);
            }
        }
        var stores = Parse(ReferenceCsv.StoreFile, (await ReadAsync(ReferenceCsv.StoreFile, true).ConfigureAwait(false))!, ReferenceCsv.ParseStores);
        var items = Parse(ReferenceCsv.ItemFile, (await ReadAsync(ReferenceCsv.ItemFile, true).ConfigureAwait(false))!, ReferenceCsv.ParseItems);
        var changeTypes = Parse(ReferenceCsv.ChangeTypeFile, (await ReadAsync(ReferenceCsv.ChangeTypeFile, true).ConfigureAwait(false))!, ReferenceCsv.ParseChangeTypes);
        var assortmentText = await ReadAsync(ReferenceCsv.AssortmentFile, false).ConfigureAwait(false);
        var assortment = assortmentText is null ? null : Parse(ReferenceCsv.AssortmentFile, assortmentText, ReferenceCsv.ParseAssortment);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        using var connection = _lake.Connect();
        counts[LakeTables.ReferenceStore.FullName] = await ReplaceAsync(connection, LakeTables.ReferenceStore,
            stores.Select(s => new object?[] { s.StoreId, s.Name, s.Region, s.Timezone, s.DeviceId }), cancellationToken).ConfigureAwait(false);
        counts[LakeTables.ReferenceItem.FullName] = await ReplaceAsync(connection, LakeTables.ReferenceItem,
            items.Select(i => new object?[] { i.ItemId, i.Name, i.Department, i.SupplierId, i.SafetyStockQuantity, i.UnitOfMeasure, i.UnitPrice, i.UnitCost }), cancellationToken).ConfigureAwait(false);
        counts[LakeTables.ReferenceChangeType.FullName] = await ReplaceAsync(connection, LakeTables.ReferenceChangeType,
            changeTypes.Select(c => new object?[] { c.ChangeTypeId, c.ChangeType }), cancellationToken).ConfigureAwait(false);
        if (assortment is not null)
        {
            counts[LakeTables.ReferenceAssortment.FullName] = await ReplaceAsync(connection, LakeTables.ReferenceAssortment,
                assortment.Select(a => new object?[] { a.StoreId, a.ItemId }), cancellationToken).ConfigureAwait(false);
        }
        return counts;
    }

    private async Task<int> ReplaceAsync(DuckDBConnection connection, LakeTableDefinition definition, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        var table = "ref_" + Guid.NewGuid().ToString("N");
        connection.Execute($"CREATE TABLE {table} ({definition.DuckDbColumnList()})");
        try
        {
            var count = 0;
            using (var appender = connection.CreateAppender(table))
            {
                foreach (var row in rows)
                {
                    var appended = appender.CreateRow();
                    foreach (var value in row)
                    {
                        appended.AppendObject(value);
                    }
                    appended.EndRow();
                    count++;
                }
            }
            var lake = _lake.Table(definition);
            var snapshot = await lake.TryLoadAsync(cancellationToken).ConfigureAwait(false);
            await lake.WriteAsync(connection, snapshot, $"SELECT * FROM {table}", LakeWriteMode.Replace, null, Array.Empty<TxnAction>(), null, "WRITE", cancellationToken).ConfigureAwait(false);
            return count;
        }
        finally
        {
            connection.Execute($"DROP TABLE IF EXISTS {table}");
        }
    }
}
