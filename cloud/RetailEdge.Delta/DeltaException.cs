namespace RetailEdge.Delta;

/// <summary>A Delta table is malformed or an operation on it is invalid; the message says what and where.</summary>
public class DeltaException : Exception
{
    public DeltaException()
    {
    }

    public DeltaException(string message)
        : base(message)
    {
    }

    public DeltaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
