namespace RetailEdge.Delta;

/// <summary>What a file in `_delta_log` is, from its name alone.</summary>
public enum DeltaLogFileKind
{
    /// <summary>Not a log file this reader uses (.crc, Hadoop .xxx.crc, temp files, v2/UUID checkpoints, …).</summary>
    Other,

    /// <summary>`{version:020}.json`.</summary>
    Commit,

    /// <summary>`{version:020}.checkpoint.parquet`.</summary>
    Checkpoint,

    /// <summary>`{version:020}.checkpoint.{part:010}.{parts:010}.parquet`.</summary>
    CheckpointPart,

    /// <summary>`_last_checkpoint`.</summary>
    LastCheckpoint,
}
