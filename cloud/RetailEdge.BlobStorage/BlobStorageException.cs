using System.Net;

namespace RetailEdge.BlobStorage;

/// <summary>
/// The Blob service refused a request. <see cref="ErrorCode"/> is the service's code
/// (x-ms-error-code, e.g. BlobNotFound, ConditionNotMet, LeaseAlreadyPresent); the message names
/// the operation and the container/blob, never a URL query (which may hold a SAS).
/// </summary>
public class BlobStorageException : Exception
{
    public BlobStorageException()
    {
    }

    public BlobStorageException(string message)
        : base(message)
    {
    }

    public BlobStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BlobStorageException(string message, HttpStatusCode status, string errorCode, string? requestId)
        : base(message)
    {
        Status = status;
        ErrorCode = errorCode;
        RequestId = requestId;
    }

    public HttpStatusCode Status { get; }

    /// <summary>The service's error code, or the empty string when it gave none.</summary>
    public string ErrorCode { get; } = string.Empty;

    /// <summary>x-ms-request-id, for support requests.</summary>
    public string? RequestId { get; }

    public bool IsNotFound => Status == HttpStatusCode.NotFound;

    /// <summary>An If-Match / If-None-Match / If-(Un)Modified-Since condition failed (412, or 409 BlobAlreadyExists).</summary>
    public bool IsConditionFailure => Status == HttpStatusCode.PreconditionFailed || ErrorCode == BlobErrorCodes.BlobAlreadyExists;

    /// <summary>A lease prevented the operation or the lease operation conflicted.</summary>
    public bool IsLeaseConflict => ErrorCode.StartsWith("Lease", StringComparison.Ordinal);
}
