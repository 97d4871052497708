using System.Security.Cryptography;

namespace RetailEdge.StoreGateway.Core;

/// <summary>A quarantine row: why, which event (when its id could be read), the first bytes, and the size and SHA-256 of the whole.</summary>
public sealed record QuarantinedEvent(string Reason, string? EventId, byte[] Sample, long Size, byte[]? Sha256)
{
    /// <summary>Whether this row holds exactly <paramref name="raw"/> (by size and hash; rows from before hashes by their bytes).</summary>
    public bool Holds(ReadOnlySpan<byte> raw) =>
        Size == raw.Length && (Sha256 is null ? Sample.AsSpan().SequenceEqual(raw) : SHA256.HashData(raw).AsSpan().SequenceEqual(Sha256));
}
