using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>
/// A prepared commit: the actions to write and what the transaction read from its snapshot,
/// so concurrent winners can be checked for logical conflicts before a retry.
/// </summary>
public sealed class DeltaTransaction
{
    private readonly List<DeltaAction> _actions = [];

    /// <param name="readSnapshot">the snapshot the transaction was built on; null when creating the table</param>
    /// <param name="operation">commitInfo.operation, e.g. WRITE, CREATE TABLE, OPTIMIZE</param>
    public DeltaTransaction(DeltaSnapshot? readSnapshot, string operation, IReadOnlyDictionary<string, string>? operationParameters = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ReadSnapshot = readSnapshot;
        Operation = operation;
        OperationParameters = operationParameters ?? new Dictionary<string, string>();
    }

    public DeltaSnapshot? ReadSnapshot { get; }

    public string Operation { get; }

    public IReadOnlyDictionary<string, string> OperationParameters { get; }

    public IReadOnlyList<DeltaAction> Actions => _actions;

    /// <summary>True when the transaction's result depends on every file of the table (e.g. full overwrite).</summary>
    public bool ReadsWholeTable { get; set; }

    /// <summary>Partitions whose contents the transaction depends on (e.g. a partition overwrite).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>> ReadPartitions { get; set; } = [];

    /// <summary>Extra commitInfo operationMetrics (numFiles, numOutputRows, …).</summary>
    public Dictionary<string, long> Metrics { get; } = new(StringComparer.Ordinal);

    /// <summary>Only adds (and a txn) against an existing table: may be retried on any newer version.</summary>
    public bool IsBlindAppend =>
        ReadSnapshot is not null && !ReadsWholeTable && ReadPartitions.Count == 0
        && _actions.All(a => a is AddAction { DataChange: true } or TxnAction);

    public DeltaTransaction Add(DeltaAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action is CommitInfoAction)
        {
            throw new ArgumentException("commitInfo is written by the committer", nameof(action));
        }
        _actions.Add(action);
        return this;
    }

    public DeltaTransaction AddRange(IEnumerable<DeltaAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        foreach (var action in actions)
        {
            Add(action);
        }
        return this;
    }

    /// <summary>Checks the per-commit rules (PROTOCOL.md): at most one metaData, one protocol, one txn per appId, one file action per path.</summary>
    public void Validate()
    {
        if (_actions.OfType<MetadataAction>().Count() > 1 || _actions.OfType<ProtocolAction>().Count() > 1)
        {
            throw new DeltaException("a commit may hold at most one metaData and one protocol action");
        }
        var appIds = _actions.OfType<TxnAction>().GroupBy(t => t.AppId).FirstOrDefault(g => g.Count() > 1);
        if (appIds is not null)
        {
            throw new DeltaException($"a commit may hold one txn per appId; '{appIds.Key}' appears twice");
        }
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in _actions)
        {
            var path = action switch
            {
                AddAction a => "add:" + DeltaPath.Canonicalize(a.Path),
                RemoveAction r => "remove:" + DeltaPath.Canonicalize(r.Path),
                _ => null,
            };
            if (path is not null && !paths.Add(path))
            {
                throw new DeltaException($"a commit may hold one add and one remove per path; '{path}' repeats");
            }
        }
    }
}
