namespace RetailEdge.Lakehouse;

/// <summary>How <see cref="LakeTable.WriteAsync"/> treats the live files.</summary>
public enum LakeWriteMode
{
    /// <summary>Add files only (blind append).</summary>
    Append,

    /// <summary>Append; when there are no rows at all, still write one empty file so its tags are recorded.</summary>
    AppendKeepEmpty,

    /// <summary>Remove the live files of the replaced partitions (or all) and add the new ones.</summary>
    Replace,
}
