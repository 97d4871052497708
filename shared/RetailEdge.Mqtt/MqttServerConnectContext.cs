using System.Text;

namespace RetailEdge.Mqtt;

/// <summary>What the authentication callback of <see cref="MqttServer"/> sees of a CONNECT.</summary>
public sealed class MqttServerConnectContext(MqttConnectPacket connect, string remoteEndPoint)
{
    public string ClientId { get; } = connect.ClientId;

    public string? UserName { get; } = connect.UserName;

    /// <summary>The raw password bytes (spec 3.1.3.5), if any.</summary>
    public ReadOnlyMemory<byte>? Password { get; } = connect.Password is { } password ? new ReadOnlyMemory<byte>(password) : null;

    public bool CleanSession { get; } = connect.CleanSession;

    public TimeSpan KeepAlive { get; } = TimeSpan.FromSeconds(connect.KeepAliveSeconds);

    public string RemoteEndPoint { get; } = remoteEndPoint;

    /// <summary>The password as UTF-8 text (a SAS token), or null when absent or not valid UTF-8.</summary>
    public string? PasswordText
    {
        get
        {
            if (Password is not { } bytes)
            {
                return null;
            }
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.Span);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
    }
}
