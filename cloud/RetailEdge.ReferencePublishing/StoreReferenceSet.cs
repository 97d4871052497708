using RetailEdge.Contracts.Reference;

namespace RetailEdge.ReferencePublishing;

/// <summary>
/// One store's reference set, encoded: the gzip payload the gateway verifies, and its content version
/// (<see cref="ReferenceDataCodec.VersionOf"/>), which is what a twin is compared on.
/// </summary>
public sealed record StoreReferenceSet(int StoreId, string DeviceId, int Items, byte[] Payload)
{
    public string Version { get; } = ReferenceDataCodec.VersionOf(Payload);

    public string Sha256 { get; } = ReferenceDataCodec.Sha256Hex(Payload);

    /// <summary>Small sets travel inline in the twin; larger ones go to storage behind a url.</summary>
    public bool FitsInline => ReferenceDataPointer.FitsInline(Payload);
}
