namespace RetailEdge.IotHub;

/// <summary>A message is larger than IoT Hub accepts (256 KB counting body and property names and values).</summary>
public sealed class MessageTooLargeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public MessageTooLargeException()
        : this("the message exceeds the IoT Hub size limit")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MessageTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public MessageTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a measured size.</summary>
    public MessageTooLargeException(int size, int limit)
        : base($"the message is {size} bytes (body + property names and values); IoT Hub accepts at most {limit}: split it or store it in blob storage")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The measured size.</summary>
    public int Size { get; }

    /// <summary>The limit.</summary>
    public int Limit { get; }
}
