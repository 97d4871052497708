using RetailEdge.Delta;

namespace RetailEdge.Lakehouse;

/// <summary>Opens the log store of one table under the lake root (a local folder or a blob container).</summary>
public interface ILakeStoreFactory
{
    /// <summary>The lake root for messages, without credentials.</summary>
    string Location { get; }

    /// <param name="relativePath">`layer/name`</param>
    IDeltaLogStore Open(string relativePath);
}
