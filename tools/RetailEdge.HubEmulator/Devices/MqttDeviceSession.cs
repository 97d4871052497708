using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Twins;
using RetailEdge.IotHub;

namespace RetailEdge.HubEmulator.Devices;

/// <summary>
/// One authenticated MQTT connection of an identity: remembers what it subscribed to, pushes
/// desired patches in version order through its own queue (the twin store only enqueues), and
/// correlates direct-method requests with their responses by $rid.
/// </summary>
internal sealed class MqttDeviceSession : IDeviceSession
{
    private readonly DeviceEndpoint _endpoint;
    private readonly TimeProvider _timeProvider;
    private readonly Channel<DesiredPatch> _patches = Channel.CreateUnbounded<DesiredPatch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<DeviceMethodResponse>> _pendingMethods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private long _nextRequestId;
    private volatile bool _acceptsDesired;
    private volatile bool _acceptsMethods;

    public MqttDeviceSession(IdentityKey identity, string clientId, string remoteEndPoint, DeviceEndpoint endpoint, TimeProvider timeProvider)
    {
        Identity = identity;
        ClientId = clientId;
        RemoteEndPoint = remoteEndPoint;
        _endpoint = endpoint;
        _timeProvider = timeProvider;
        // ends by itself when the connection does (OnDisconnected); nothing waits for it
        _ = Task.Run(PumpPatchesAsync);
    }

    public IdentityKey Identity { get; }

    public string ClientId { get; }

    public string RemoteEndPoint { get; }

    public bool AcceptsDesiredPatches => _acceptsDesired;

    public bool AcceptsMethods => _acceptsMethods;

    public void OnSubscribed(string topicFilter)
    {
        if (topicFilter == IotHubTopics.DesiredPatchFilter)
        {
            _acceptsDesired = true;
        }
        else if (topicFilter == IotHubTopics.MethodRequestFilter)
        {
            _acceptsMethods = true;
        }
    }

    public void EnqueueDesiredPatch(DesiredPatch patch)
    {
        // IoT Hub sends desired patches only while connected and subscribed (PROTOCOLS.md "Twin")
        if (_acceptsDesired)
        {
            _patches.Writer.TryWrite(patch);
        }
    }

    public async Task<DeviceMethodResponse> InvokeMethodAsync(string methodName, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var requestId = Interlocked.Increment(ref _nextRequestId).ToString("x", CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<DeviceMethodResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingMethods[requestId] = completion;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sent = await _endpoint.SendToClientAsync(ClientId, IotHubTopics.MethodRequest(methodName, requestId), payload).ConfigureAwait(false);
            if (!sent)
            {
                throw new IOException("the identity disconnected before the method request was sent");
            }
            return await completion.Task.WaitAsync(timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pendingMethods.TryRemove(requestId, out _);
        }
    }

    /// <summary>A method response from the device; false when no request with that $rid is waiting.</summary>
    public bool CompleteMethod(string requestId, int status, ReadOnlyMemory<byte> payload)
    {
        if (_pendingMethods.TryRemove(requestId, out var completion))
        {
            return completion.TrySetResult(new DeviceMethodResponse(status, payload.ToArray()));
        }
        return false;
    }

    public async Task CloseAsync(string reason, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _endpoint.DisconnectClientAsync(ClientId).ConfigureAwait(false);
        OnDisconnected();
    }

    /// <summary>The connection ended: stop the patch pump and fail waiting method calls.</summary>
    public void OnDisconnected()
    {
        _patches.Writer.TryComplete();
        foreach (var pending in _pendingMethods.Values)
        {
            pending.TrySetException(new IOException("the identity disconnected before answering"));
        }
        if (!_closed.IsCancellationRequested)
        {
            _closed.Cancel();
        }
    }

    private async Task PumpPatchesAsync()
    {
        try
        {
            await foreach (var patch in _patches.Reader.ReadAllAsync(_closed.Token).ConfigureAwait(false))
            {
                var payload = System.Text.Encoding.UTF8.GetBytes(patch.Patch.ToJsonString());
                var sent = await _endpoint.SendToClientAsync(ClientId, IotHubTopics.DesiredPatch(patch.Version), payload).ConfigureAwait(false);
                if (!sent)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
