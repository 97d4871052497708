namespace RetailEdge.BlobStorage;

/// <summary>Blob service error codes this client and its callers act on (Blob service error codes reference).</summary>
public static class BlobErrorCodes
{
    public const string BlobAlreadyExists = "BlobAlreadyExists";
    public const string BlobNotFound = "BlobNotFound";
    public const string ContainerAlreadyExists = "ContainerAlreadyExists";
    public const string ContainerNotFound = "ContainerNotFound";
    public const string ConditionNotMet = "ConditionNotMet";
    public const string LeaseAlreadyPresent = "LeaseAlreadyPresent";
    public const string LeaseIdMismatchWithLeaseOperation = "LeaseIdMismatchWithLeaseOperation";
    public const string LeaseIdMissing = "LeaseIdMissing";
    public const string LeaseNotPresentWithLeaseOperation = "LeaseNotPresentWithLeaseOperation";
    public const string LeaseIsBrokenAndCannotBeRenewed = "LeaseIsBrokenAndCannotBeRenewed";
    public const string AuthenticationFailed = "AuthenticationFailed";
    public const string AuthorizationFailure = "AuthorizationFailure";
}
