using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>Reads and writes checkpoint files (Parquet with the checkpoint schema).</summary>
public interface ICheckpointCodec
{
    /// <summary>The actions of a checkpoint given as its part paths (one for a classic checkpoint).</summary>
    Task<IReadOnlyList<DeltaAction>> ReadAsync(IDeltaLogStore store, IReadOnlyList<string> partPaths, CancellationToken cancellationToken);

    /// <summary>Writes the checkpoint of <paramref name="snapshot"/> as a single part; returns the number of actions written.</summary>
    Task<long> WriteAsync(IDeltaLogStore store, DeltaSnapshot snapshot, CancellationToken cancellationToken);
}
