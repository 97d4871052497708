using System.Net;

namespace RetailEdge.BlobStorage;

/// <summary>
/// A create-only write (If-None-Match: *) found the blob already there: 409 BlobAlreadyExists
/// (or 412 ConditionNotMet from services that answer that way). This is the put-if-absent
/// "somebody else won" outcome, distinct from every other failure.
/// </summary>
public sealed class BlobAlreadyExistsException : BlobStorageException
{
    public BlobAlreadyExistsException()
    {
    }

    public BlobAlreadyExistsException(string message)
        : base(message)
    {
    }

    public BlobAlreadyExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BlobAlreadyExistsException(string message, HttpStatusCode status, string errorCode, string? requestId)
        : base(message, status, errorCode, requestId)
    {
    }
}
