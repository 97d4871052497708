using System.Text;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>
/// Hand-built MQTT 3.1.1 packets for raw-socket tests (spec 3.1: CONNECT), so a test can send
/// exactly the bytes it means, valid or not, without any client library in between.
/// </summary>
internal static class RawMqtt
{
    /// <summary>CONNECT with clean session, user name and password (spec 3.1.2.3 flags 0xC2).</summary>
    public static byte[] Connect(string clientId, string userName, string password, ushort keepAliveSeconds)
    {
        var body = new List<byte> { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xC2, (byte)(keepAliveSeconds >> 8), (byte)keepAliveSeconds };
        foreach (var field in new[] { clientId, userName, password })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            body.Add((byte)(bytes.Length >> 8));
            body.Add((byte)bytes.Length);
            body.AddRange(bytes);
        }
        var packet = new List<byte> { 0x10 };
        // remaining length as a variable byte integer (spec 2.2.3)
        var length = body.Count;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            packet.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        packet.AddRange(body);
        return [.. packet];
    }
}
