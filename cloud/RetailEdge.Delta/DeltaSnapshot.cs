using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>
/// The state of a table at one version: protocol, metadata, live files, unexpired tombstones and
/// the latest txn per application. Immutable; built by <see cref="DeltaSnapshotBuilder"/>.
/// </summary>
public sealed class DeltaSnapshot
{
    internal DeltaSnapshot(
        long version,
        ProtocolAction protocol,
        MetadataAction metadata,
        IReadOnlyList<AddAction> files,
        IReadOnlyList<RemoveAction> tombstones,
        IReadOnlyDictionary<string, TxnAction> transactions,
        long? timestamp)
    {
        Version = version;
        Protocol = protocol;
        Metadata = metadata;
        Files = files;
        Tombstones = tombstones;
        Transactions = transactions;
        Timestamp = timestamp;
    }

    public long Version { get; }

    public ProtocolAction Protocol { get; }

    public MetadataAction Metadata { get; }

    public DeltaSchema Schema => Metadata.Schema;

    public IReadOnlyList<string> PartitionColumns => Metadata.PartitionColumns;

    /// <summary>The live data files, ordered by path.</summary>
    public IReadOnlyList<AddAction> Files { get; }

    /// <summary>Remove actions not yet past the deleted-file retention (kept in checkpoints).</summary>
    public IReadOnlyList<RemoveAction> Tombstones { get; }

    /// <summary>Latest txn per appId.</summary>
    public IReadOnlyDictionary<string, TxnAction> Transactions { get; }

    /// <summary>The commitInfo timestamp of this version, when its commit file was replayed.</summary>
    public long? Timestamp { get; }

    /// <summary>Σ numRecords when every live file has stats; otherwise null.</summary>
    public long? NumRecordsFromStats
    {
        get
        {
            long total = 0;
            foreach (var file in Files)
            {
                if (file.ParsedStats is not { } stats)
                {
                    return null;
                }
                total += stats.NumRecords;
            }
            return total;
        }
    }

    /// <summary>The last committed version of an application's batches, or null.</summary>
    public long? TransactionVersion(string appId) =>
        Transactions.TryGetValue(appId, out var txn) ? txn.Version : null;

    /// <summary>Checkpoint interval from delta.checkpointInterval, default 10.</summary>
    public int CheckpointInterval =>
        Metadata.Configuration.TryGetValue("delta.checkpointInterval", out var v)
        && int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i > 0
            ? i
            : 10;
}
