using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>
/// Decides whether a transaction may be re-applied on top of a commit that won the race for its
/// version (optimistic concurrency, serializable for what the transaction read). Pure.
/// </summary>
public static class DeltaConflictChecker
{
    /// <summary>Null when the transaction may retry after <paramref name="winningVersion"/>; otherwise the reason.</summary>
    public static string? FindConflict(DeltaTransaction transaction, long winningVersion, IReadOnlyList<DeltaAction> winningActions)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(winningActions);
        if (transaction.ReadSnapshot is null)
        {
            return $"the table was created concurrently (version {winningVersion} exists)";
        }
        var myAppIds = transaction.Actions.OfType<TxnAction>().Select(t => t.AppId).ToHashSet(StringComparer.Ordinal);
        var myRemoves = transaction.Actions.OfType<RemoveAction>().Select(r => DeltaPath.Canonicalize(r.Path)).ToHashSet(StringComparer.Ordinal);
        foreach (var action in winningActions)
        {
            switch (action)
            {
                case ProtocolAction:
                    return $"the protocol changed in version {winningVersion}";
                case MetadataAction:
                    return $"the table metadata (schema, partitioning, configuration) changed in version {winningVersion}";
                case TxnAction txn when myAppIds.Contains(txn.AppId):
                    return $"application '{txn.AppId}' committed concurrently in version {winningVersion}";
                case RemoveAction remove when myRemoves.Contains(DeltaPath.Canonicalize(remove.Path)):
                    return $"file '{remove.Path}' was removed concurrently in version {winningVersion}";
                case RemoveAction remove when remove.DataChange && ReadsPartition(transaction, remove.PartitionValues):
                    return $"data this transaction read was deleted in version {winningVersion}";
                case AddAction add when add.DataChange && ReadsPartition(transaction, add.PartitionValues):
                    return $"rows were added concurrently in version {winningVersion} to data this transaction read";
                default:
                    break;
            }
        }
        return null;
    }

    private static bool ReadsPartition(DeltaTransaction transaction, IReadOnlyDictionary<string, string?>? partitionValues)
    {
        if (transaction.ReadsWholeTable)
        {
            return true;
        }
        if (transaction.ReadPartitions.Count == 0)
        {
            return false;
        }
        if (partitionValues is null)
        {
            // a remove without partition values could be anywhere: assume it touches what we read
            return true;
        }
        return transaction.ReadPartitions.Any(read => read.All(kv =>
            partitionValues.TryGetValue(kv.Key, out var v) && string.Equals(v, kv.Value, StringComparison.Ordinal)));
    }
}
