using System.Collections.Concurrent;
using RetailEdge.HubEmulator.Registry;

namespace RetailEdge.HubEmulator.Devices;

/// <summary>
/// The connected identities. IoT Hub allows one connection per identity: registering a new
/// session returns the one it replaces, which the caller closes (PROTOCOLS.md, "One
/// connection per identity: a new one drops the old").
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<IdentityKey, IDeviceSession> _sessions = new();
    private readonly ConcurrentDictionary<IdentityKey, TaskCompletionSource> _connectWaiters = new();

    public int Count => _sessions.Count;

    /// <summary>Makes <paramref name="session"/> the identity's connection; returns the previous one, if any.</summary>
    public IDeviceSession? Register(IDeviceSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        IDeviceSession? previous = null;
        _sessions.AddOrUpdate(session.Identity, session, (_, old) =>
        {
            previous = old;
            return session;
        });
        return previous;
    }

    /// <summary>Removes the session if it is still the identity's current one.</summary>
    public void Unregister(IDeviceSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _sessions.TryRemove(new KeyValuePair<IdentityKey, IDeviceSession>(session.Identity, session));
    }

    public IDeviceSession? Find(IdentityKey identity) => _sessions.TryGetValue(identity, out var session) ? session : null;

    public bool IsConnected(IdentityKey identity) => _sessions.ContainsKey(identity);

    public IReadOnlyList<IDeviceSession> All() => _sessions.Values.ToList();

    /// <summary>Signals that an identity's session is ready for methods (it subscribed).</summary>
    public void NotifyReady(IdentityKey identity)
    {
        if (_connectWaiters.TryRemove(identity, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>
    /// The identity's session that accepts methods, waiting up to <paramref name="connectTimeout"/>
    /// for one to connect and subscribe (the connectTimeoutInSeconds of a method invocation).
    /// </summary>
    public async Task<IDeviceSession?> WaitForMethodSessionAsync(IdentityKey identity, TimeSpan connectTimeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetUtcNow() + connectTimeout;
        while (true)
        {
            var session = Find(identity);
            if (session is { AcceptsMethods: true })
            {
                return session;
            }
            var remaining = deadline - timeProvider.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }
            var waiter = _connectWaiters.GetOrAdd(identity, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            try
            {
                // re-check after registering the waiter: the session may have subscribed in between
                if (Find(identity) is { AcceptsMethods: true } ready)
                {
                    return ready;
                }
                await waiter.Task.WaitAsync(remaining, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return Find(identity) is { AcceptsMethods: true } late ? late : null;
            }
        }
    }
}
