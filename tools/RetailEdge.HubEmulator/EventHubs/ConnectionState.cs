using Microsoft.Azure.Amqp;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// What one AMQP connection has established: the scopes its $cbs tokens authorised (each until
/// its token expires) and the links on which it receives replies from $cbs and $management,
/// by their address (the requests' reply-to).
/// </summary>
internal sealed class ConnectionState
{
    /// <summary>A client renews its tokens; more than this many live scopes on one connection is not a client but a leak.</summary>
    private const int MaxScopes = 1024;
    private readonly object _gate = new();
    private readonly List<AuthorizedScope> _scopes = [];
    private readonly Dictionary<string, SendingAmqpLink> _replyLinks = new(StringComparer.Ordinal);

    public void Authorize(AuthorizedScope scope)
    {
        lock (_gate)
        {
            _scopes.RemoveAll(s => s.ExpiresOn <= scope.ExpiresOn && string.Equals(s.EntityPath, scope.EntityPath, StringComparison.OrdinalIgnoreCase));
            if (_scopes.Count >= MaxScopes)
            {
                _scopes.RemoveAt(0);
            }
            _scopes.Add(scope);
        }
    }

    public bool IsAuthorized(string entityPath, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _scopes.Exists(s => s.Covers(entityPath, now));
        }
    }

    public void AddReplyLink(string address, SendingAmqpLink link)
    {
        lock (_gate)
        {
            _replyLinks[address] = link;
        }
        link.Closed += (_, _) =>
        {
            lock (_gate)
            {
                if (_replyLinks.TryGetValue(address, out var current) && ReferenceEquals(current, link))
                {
                    _replyLinks.Remove(address);
                }
            }
        };
    }

    public SendingAmqpLink? FindReplyLink(string? address)
    {
        if (address is null)
        {
            return null;
        }
        lock (_gate)
        {
            return _replyLinks.GetValueOrDefault(address);
        }
    }
}
