using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Transport;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// Accepts TCP connections on one endpoint (port 0 picks a free port, read back from
/// <see cref="BoundEndPoint"/>, which the library's own TCP listener does not expose) and hands
/// each to AMQP as a transport, wrapped in TLS with the emulator's certificate when one is given.
/// A failed TLS handshake closes that connection only.
/// </summary>
internal sealed class LoopbackTransportListener : TransportListener
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();

    public LoopbackTransportListener(IPEndPoint endPoint, X509Certificate2? certificate)
        : base("loopback-listener")
    {
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Bind(endPoint);
        _socket.Listen(64);
        BoundEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _certificate = certificate;
    }

    public IPEndPoint BoundEndPoint { get; }

    protected override void OnListen()
    {
        _ = AcceptLoopAsync(_stop.Token);
    }

    protected override bool CloseInternal()
    {
        Shutdown();
        return true;
    }

    protected override void AbortInternal() => Shutdown();

    private void Shutdown()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
        }
        _socket.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            accepted.NoDelay = true;
            _ = HandOverAsync(accepted);
        }
    }

    private async Task HandOverAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            if (_certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                using var timeout = new CancellationTokenSource(HandshakeTimeout);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, timeout.Token).ConfigureAwait(false);
            }
            var transport = new StreamTransport(socket, stream, isSecure: _certificate is not null);
            transport.Open();
            OnTransportAccepted(new TransportAsyncCallbackArgs { Transport = transport, CompletedSynchronously = false });
        }
#pragma warning disable CA1031 // one client's failed handshake closes its connection; the listener goes on
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            _ = ex;
            await stream.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
        }
    }
}
