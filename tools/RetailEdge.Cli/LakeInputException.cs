namespace RetailEdge.Cli;

/// <summary>A lake command got input it cannot use (e.g. a version beyond the latest); exit code 2.</summary>
internal sealed class LakeInputException : Exception
{
    public LakeInputException()
    {
    }

    public LakeInputException(string message)
        : base(message)
    {
    }

    public LakeInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
