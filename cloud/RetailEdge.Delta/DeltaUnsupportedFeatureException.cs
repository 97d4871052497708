namespace RetailEdge.Delta;

/// <summary>
/// The table uses a protocol feature this library does not implement (deletion vectors, column
/// mapping, v2 checkpoints, …). Reading it would give wrong rows, so it is refused.
/// </summary>
public sealed class DeltaUnsupportedFeatureException : DeltaException
{
    public DeltaUnsupportedFeatureException()
    {
        Feature = "unknown";
    }

    public DeltaUnsupportedFeatureException(string message)
        : base(message)
    {
        Feature = "unknown";
    }

    public DeltaUnsupportedFeatureException(string message, Exception innerException)
        : base(message, innerException)
    {
        Feature = "unknown";
    }

    public DeltaUnsupportedFeatureException(string feature, string message)
        : base(message)
    {
        Feature = feature;
    }

    /// <summary>The protocol feature name, e.g. "deletionVectors", "columnMapping", "v2Checkpoint", "readerVersion".</summary>
    public string Feature { get; }
}
