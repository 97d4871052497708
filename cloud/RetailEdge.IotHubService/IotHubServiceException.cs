using System.Net;

namespace RetailEdge.IotHubService;

/// <summary>
/// IoT Hub answered with an error: the HTTP status, IoT Hub's error code (e.g. 404103) and
/// name (iothub-errorcode header, e.g. DeviceNotOnline), tracking id, and IoT Hub's message.
/// </summary>
public sealed class IotHubServiceException : Exception
{
    public IotHubServiceException()
    {
    }

    public IotHubServiceException(string message)
        : base(message)
    {
    }

    public IotHubServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IotHubServiceException(HttpStatusCode statusCode, int? errorCode, string? errorName, string? trackingId, string hubMessage)
        : base($"IoT Hub answered {(int)statusCode} {statusCode}{(errorName is null ? "" : " (" + errorName + ")")}: {hubMessage}")
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        ErrorName = errorName;
        TrackingId = trackingId;
        HubMessage = hubMessage;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>IoT Hub's numeric error code, e.g. 404103 (device not online), when the hub sends one (newer hubs' JSON error body).</summary>
    public int? ErrorCode { get; }

    /// <summary>IoT Hub's error name, e.g. "DeviceNotOnline" (the iothub-errorcode header, or the body's "ErrorCode:&lt;Name&gt;;…").</summary>
    public string? ErrorName { get; }

    public string? TrackingId { get; }

    /// <summary>IoT Hub's own message, as it sent it.</summary>
    public string HubMessage { get; } = string.Empty;
}
