using System.Net;
using Microsoft.Extensions.Logging;

namespace RetailEdge.BlobStorage;

/// <summary>Log messages. Resources are container/blob paths: never URLs (a query may hold a SAS).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Blob {Operation} {Resource}: transient {Status}, retry {Attempt} in {Delay}")]
    public static partial void RetryingStatus(ILogger logger, string operation, string resource, HttpStatusCode status, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Blob {Operation} {Resource}: {Error}, retry {Attempt} in {Delay}")]
    public static partial void RetryingError(ILogger logger, string operation, string resource, string error, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Blob {Operation} {Resource}: {Status}")]
    public static partial void Completed(ILogger logger, string operation, string resource, HttpStatusCode status);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Blob upload {Resource}: {Blocks} blocks, {Bytes} bytes")]
    public static partial void BlockUpload(ILogger logger, string resource, int blocks, long bytes);
}
