using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace RetailEdge.Mqtt;

/// <summary>Opens TCP connections, optionally wrapped in TLS (SslStream), for <see cref="MqttClient"/>.</summary>
public sealed class MqttTcpChannelFactory : IMqttChannelFactory
{
    private readonly MqttTcpChannelOptions _options;

    public MqttTcpChannelFactory(MqttTcpChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    public async ValueTask<IMqttChannel> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_options.Host, _options.Port, timeout.Token).ConfigureAwait(false);
            var remote = socket.RemoteEndPoint?.ToString() ?? $"{_options.Host}:{_options.Port}";
            var network = new NetworkStream(socket, ownsSocket: true);
            if (!_options.UseTls)
            {
                return new MqttStreamChannel(network, remote);
            }
            var ssl = new SslStream(network, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = _options.TlsTargetHost ?? _options.Host,
                    ClientCertificates = _options.ClientCertificates,
                    RemoteCertificateValidationCallback = _options.CertificateValidationCallback ?? ValidateWithTrustBundle,
                }, timeout.Token).ConfigureAwait(false);
            }
            catch
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return new MqttStreamChannel(ssl, remote);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"no MQTT connection to {_options.Host}:{_options.Port} within {_options.ConnectTimeout}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private bool ValidateWithTrustBundle(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        // Only a chain that the system does not trust can be rescued by the configured roots;
        // a wrong host name or a missing certificate never is.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || _options.TrustedRootCertificates is not { Count: > 0 } roots)
        {
            return false;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
