using System.Net;

namespace RetailEdge.IotHub;

/// <summary>The IoT Edge workload API refused or failed a request after retries.</summary>
public sealed class WorkloadApiException : Exception
{
    /// <summary>Creates an exception without details.</summary>
    public WorkloadApiException()
        : this("the workload API request failed")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public WorkloadApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public WorkloadApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for an HTTP status.</summary>
    public WorkloadApiException(string message, HttpStatusCode? statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The last HTTP status received, null when no answer came.</summary>
    public HttpStatusCode? StatusCode { get; }
}
