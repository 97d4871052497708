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

    /// <summary>
    /// The Delta versions of the four reference tables as one text (-1 for a missing table): when it
    /// differs from the last one seen, the reference data changed and is published again.
    /// </summary>
    public static async Task<string> ReadVersionsAsync(LakeContext lake, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        var versions = new List<string>(4);
        foreach (var definition in new[] { LakeTables.ReferenceStore, LakeTables.ReferenceItem, LakeTables.ReferenceChangeType, LakeTables.ReferenceAssortment })
        {
            var snapshot = await lake.Table(definition).TryLoadAsync(cancellationToken).ConfigureAwait(false);
            versions.Add(definition.Name + "@" + (snapshot?.Version ?? -1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return string.Join(',', versions);
    }

    /// <summary>
    /// Every row of the reference tables, for the publisher; null when reference.store or reference.item
    /// was never loaded. A missing reference.assortment gives a null <see cref="ReferenceTables.Assortment"/>.
    /// </summary>
    public static async Task<ReferenceTables?> ReadTablesAsync(LakeContext lake, DuckDBConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(connection);
        async Task<List<T>?> ReadAsync<T>(LakeTableDefinition definition, string columns, Func<DuckDBDataReader, T> read)
        {
            var table = lake.Table(definition);
            var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
            if (snapshot is null)
            {
                return null;
            }
            var sql = await table.SelectSqlAsync(snapshot.Files, cancellationToken).ConfigureAwait(false);
            var rows = new List<T>();
            using var result = connection.Query($"SELECT {columns} FROM ({sql})", cancellationToken);
            while (result.Read())
            {
                rows.Add(read(result));
            }
            return rows;
        }
        var stores = await ReadAsync(LakeTables.ReferenceStore, "store_id, coalesce(name, ''), coalesce(region, ''), coalesce(timezone, ''), coalesce(device_id, '')",
            r => new StoreReference(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4))).ConfigureAwait(false);
        var items = await ReadAsync(LakeTables.ReferenceItem,
            "item_id, coalesce(name, ''), coalesce(department, ''), coalesce(supplier_id, 0), coalesce(safety_stock_quantity, 0), coalesce(unit_of_measure, ''), coalesce(unit_price, 0), coalesce(unit_cost, 0)",
            r => new ItemReference(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetDecimal(4), r.GetString(5), r.GetDecimal(6), r.GetDecimal(7))).ConfigureAwait(false);
        if (stores is null || items is null)
        {
            return null;
        }
        var changeTypes = await ReadAsync(LakeTables.ReferenceChangeType, "change_type_id, change_type",
            r => new ChangeTypeReference(r.GetInt32(0), r.GetString(1))).ConfigureAwait(false);
        var assortment = await ReadAsync(LakeTables.ReferenceAssortment, "store_id, item_id",
            r => new AssortmentEntry(r.GetInt32(0), r.GetInt64(1))).ConfigureAwait(false);
        return new ReferenceTables(stores, items, changeTypes ?? [], assortment);
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
        counts[LakeTables.ReferenceStore.FullName] = await ReplaceAsync(connection, LakeTables.ReferenceStore, stores, ReferenceRows.AppendStore, cancellationToken).ConfigureAwait(false);
        counts[LakeTables.ReferenceItem.FullName] = await ReplaceAsync(connection, LakeTables.ReferenceItem, items, ReferenceRows.AppendItem, cancellationToken).ConfigureAwait(false);
        counts[LakeTables.ReferenceChangeType.FullName] = await ReplaceAsync(connection, LakeTables.ReferenceChangeType, changeTypes, ReferenceRows.AppendChangeType, cancellationToken).ConfigureAwait(false);
        if (assortment is not null)
        {
            counts[LakeTables.ReferenceAssortment.FullName] = await ReplaceAsync(connection, LakeTables.ReferenceAssortment, assortment, ReferenceRows.AppendAssortment, cancellationToken).ConfigureAwait(false);
        }
        return counts;
    }

    private async Task<int> ReplaceAsync<TRow>(DuckDBConnection connection, LakeTableDefinition definition, IReadOnlyList<TRow> rows,
        Action<IDuckDBAppenderRow, TRow> append, CancellationToken cancellationToken)
    {
        using var staged = StagedRows.Create(connection, definition, rows, append);
        var lake = _lake.Table(definition);
        var snapshot = await lake.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        await lake.WriteAsync(connection, snapshot, $"SELECT * FROM {staged.Table}", LakeWriteMode.Replace, null, Array.Empty<TxnAction>(), null, "WRITE", cancellationToken).ConfigureAwait(false);
        return staged.Count;
    }
}
