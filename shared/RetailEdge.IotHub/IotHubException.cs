namespace RetailEdge.IotHub;

/// <summary>The hub answered a twin request with an error status (400, 429, 5xx…).</summary>
public sealed class IotHubException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IotHubException()
        : this("the IoT Hub request failed")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public IotHubException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public IotHubException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a status.</summary>
    public IotHubException(int status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <summary>The status the hub answered with (0 when none).</summary>
    public int Status { get; }

    /// <summary>Throttled (429) or a server error (5xx): worth retrying later.</summary>
    public bool IsTransient => Status == 429 || Status >= 500;
}
