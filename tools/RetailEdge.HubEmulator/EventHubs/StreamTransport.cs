using System.Net.Sockets;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Transport;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// An AMQP transport over an accepted socket's stream (plain, or an <see cref="System.Net.Security.SslStream"/>
/// already authenticated): the library's own TCP transport cannot be built from a socket we accepted.
/// Follows the library's contract: a read or write returns false when it completed at once
/// (result in the args) and true when it completes later through the args' callback.
/// </summary>
internal sealed class StreamTransport : TransportBase
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly string _localEndPoint;
    private readonly string _remoteEndPoint;

    public StreamTransport(Socket socket, Stream stream, bool isSecure)
        : base("stream")
    {
        _socket = socket;
        _stream = stream;
        IsSecure = isSecure;
        _localEndPoint = socket.LocalEndPoint?.ToString() ?? string.Empty;
        _remoteEndPoint = socket.RemoteEndPoint?.ToString() ?? string.Empty;
    }

    public override string LocalEndPoint => _localEndPoint;

    public override string RemoteEndPoint => _remoteEndPoint;

    public override bool IsSecure { get; }

    public override void SetMonitor(ITransportMonitor usageMeter)
    {
    }

    public override bool WriteAsync(TransportAsyncCallbackArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArraySegment<byte> buffer;
        if (args.Buffer is not null)
        {
            buffer = new ArraySegment<byte>(args.Buffer, args.Offset, args.Count);
        }
        else
        {
            // several frames at once: one write keeps them in one TCP segment where they fit
            var total = args.ByteBufferList.Sum(b => b.Length);
            var joined = new byte[total];
            var at = 0;
            foreach (var part in args.ByteBufferList)
            {
                Buffer.BlockCopy(part.Buffer, part.Offset, joined, at, part.Length);
                at += part.Length;
            }
            buffer = new ArraySegment<byte>(joined);
        }
        var task = _stream.WriteAsync(buffer.AsMemory()).AsTask();
        return Complete(task, args, () => buffer.Count);
    }

    public override bool ReadAsync(TransportAsyncCallbackArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var task = _stream.ReadAsync(args.Buffer.AsMemory(args.Offset, args.Count)).AsTask();
        return Complete(task, args, () => task.Result);
    }

    protected override bool CloseInternal()
    {
        Shutdown();
        return true;
    }

    protected override void AbortInternal() => Shutdown();

    private void Shutdown()
    {
        _stream.Dispose();
        _socket.Dispose();
    }

    private static bool Complete(Task task, TransportAsyncCallbackArgs args, Func<int> bytes)
    {
        if (task.IsCompletedSuccessfully)
        {
            args.CompletedSynchronously = true;
            args.BytesTransfered = bytes();
            return false;
        }
        _ = task.ContinueWith(done =>
        {
            args.CompletedSynchronously = false;
            if (done.IsFaulted)
            {
                args.Exception = done.Exception!.InnerException;
            }
            else if (done.IsCanceled)
            {
                args.Exception = new TaskCanceledException();
            }
            else
            {
                args.BytesTransfered = bytes();
            }
            args.CompletedCallback(args);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }
}
