using System.Text;

namespace RetailEdge.IotHub;

/// <summary>The answer to a direct method: a status and a JSON payload (≤ 128 KB).</summary>
/// <param name="Status">an HTTP-like status the caller sees</param>
/// <param name="Payload">JSON bytes; empty means no payload</param>
public sealed record MethodResponse(int Status, ReadOnlyMemory<byte> Payload)
{
    /// <summary>PROTOCOLS.md: method payloads are at most 128 KB.</summary>
    public const int MaxPayloadSize = 128 * 1024;

    /// <summary>A response with a JSON text payload.</summary>
    public static MethodResponse Json(int status, string json) => new(status, Encoding.UTF8.GetBytes(json));
}
