using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>
/// Replays actions into a <see cref="DeltaSnapshot"/> (PROTOCOL.md "Action Reconciliation"):
/// latest protocol and metaData win, latest txn per appId wins, file actions are keyed by their
/// canonical path and the newest action for a path wins. Pure: no I/O.
/// </summary>
public sealed class DeltaSnapshotBuilder
{
    private readonly string? _tableRoot;
    private readonly Dictionary<string, AddAction> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RemoveAction> _tombstones = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TxnAction> _transactions = new(StringComparer.Ordinal);
    private ProtocolAction? _protocol;
    private MetadataAction? _metadata;
    private long _version = -1;
    private long? _timestamp;

    /// <param name="tableRoot">the table location, so absolute paths under it reconcile with relative ones</param>
    public DeltaSnapshotBuilder(string? tableRoot = null)
    {
        _tableRoot = tableRoot;
    }

    public long Version => _version;

    /// <summary>A builder holding the state of <paramref name="snapshot"/>, to replay newer commits on top of it.</summary>
    public static DeltaSnapshotBuilder From(DeltaSnapshot snapshot, string? tableRoot = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var builder = new DeltaSnapshotBuilder(tableRoot);
        builder.ApplyActions([snapshot.Protocol, snapshot.Metadata, .. snapshot.Transactions.Values, .. snapshot.Tombstones, .. snapshot.Files]);
        builder._version = snapshot.Version;
        builder._timestamp = snapshot.Timestamp;
        return builder;
    }

    /// <summary>Applies a checkpoint's actions as the state at <paramref name="version"/>.</summary>
    public void ApplyCheckpoint(long version, IEnumerable<DeltaAction> actions)
    {
        if (_version >= 0)
        {
            throw new InvalidOperationException("a checkpoint must be applied first");
        }
        ApplyActions(actions);
        _version = version;
        _timestamp = null;
    }

    /// <summary>Applies the commit of <paramref name="version"/>; versions must be contiguous.</summary>
    public void ApplyCommit(long version, IEnumerable<DeltaAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (version != _version + 1)
        {
            throw new DeltaException(_version < 0
                ? $"versions not contiguous: the log starts at version {version} without a checkpoint before it"
                : $"versions not contiguous: version {version} follows {_version}");
        }
        _timestamp = null;
        foreach (var action in actions)
        {
            if (action is CommitInfoAction info)
            {
                _timestamp = info.Timestamp;
            }
        }
        ApplyActions(actions);
        _version = version;
    }

    /// <summary>
    /// Finishes the snapshot: fails when protocol or metaData is missing, refuses unsupported
    /// features, and drops tombstones older than <paramref name="tombstoneCutoffMs"/>.
    /// </summary>
    public DeltaSnapshot Build(long tombstoneCutoffMs = long.MinValue)
    {
        if (_version < 0)
        {
            throw new DeltaException("no commits: this is not a Delta table");
        }
        if (_protocol is null)
        {
            throw new DeltaException($"table state at version {_version} has no protocol action");
        }
        if (_metadata is null)
        {
            throw new DeltaException($"table state at version {_version} has no metaData action");
        }
        DeltaProtocolSupport.EnsureReadable(_protocol, _metadata);
        if (_metadata.FormatProvider != "parquet")
        {
            throw new DeltaUnsupportedFeatureException("format", $"data format '{_metadata.FormatProvider}' is not supported");
        }
        foreach (var field in _metadata.Schema.Fields)
        {
            if (field.Type.Name is "timestamp_ntz" or "variant")
            {
                throw new DeltaUnsupportedFeatureException(field.Type.Name == "timestamp_ntz" ? "timestampNtz" : "variantType",
                    $"column '{field.Name}' has type {field.Type.Name}, which is not supported");
            }
        }
        var files = _files.Values.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        if (files.FirstOrDefault(f => f.HasDeletionVector) is { } withDv)
        {
            throw new DeltaUnsupportedFeatureException("deletionVectors",
                $"file '{withDv.Path}' has a deletion vector, which is not supported");
        }
        var tombstones = _tombstones.Values
            .Where(r => (r.DeletionTimestamp ?? 0) > tombstoneCutoffMs)
            .OrderBy(r => r.Path, StringComparer.Ordinal)
            .ToList();
        return new DeltaSnapshot(_version, _protocol, _metadata, files, tombstones,
            new Dictionary<string, TxnAction>(_transactions, StringComparer.Ordinal), _timestamp);
    }

    private void ApplyActions(IEnumerable<DeltaAction> actions)
    {
        foreach (var action in actions)
        {
            switch (action)
            {
                case ProtocolAction protocol:
                    _protocol = protocol;
                    break;
                case MetadataAction metadata:
                    _metadata = metadata;
                    break;
                case TxnAction txn:
                    _transactions[txn.AppId] = txn;
                    break;
                case AddAction add:
                {
                    var key = DeltaPath.Canonicalize(add.Path, _tableRoot);
                    _files[key] = add;
                    _tombstones.Remove(key);
                    break;
                }
                case RemoveAction remove:
                {
                    var key = DeltaPath.Canonicalize(remove.Path, _tableRoot);
                    _files.Remove(key);
                    _tombstones[key] = remove;
                    break;
                }
                default:
                    // commitInfo, cdc, domainMetadata, …: no effect on the table state
                    break;
            }
        }
    }
}
