using Microsoft.Azure.Amqp;
using Microsoft.Extensions.Logging;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// One receiver link on a partition: sends the partition's events in order from its start,
/// as many as the client's link credit allows, and waits for new events when it has caught up.
/// Events are sent settled (Event Hubs receivers do not acknowledge); a receiver that falls
/// behind retention goes on from the oldest retained event.
/// </summary>
internal sealed partial class PartitionConsumer
{
    public const string OwnerLevelProperty = "com.microsoft:epoch";
    private const int MaxBatch = 100;
    private readonly SendingAmqpLink _link;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closed = new();
    private readonly SemaphoreSlim _creditArrived = new(0, 1);
    private long _deliveryTag;

    public PartitionConsumer(SendingAmqpLink link, EntityAddress entity, long? ownerLevel, long startSequenceNumber, ILogger logger)
    {
        _link = link;
        Entity = entity;
        OwnerLevel = ownerLevel;
        NextSequenceNumber = startSequenceNumber;
        _logger = logger;
    }

    public EntityAddress Entity { get; }

    public long? OwnerLevel { get; }

    public long NextSequenceNumber { get; private set; }

    public AmqpConnection Connection => _link.Session.Connection;

    public bool IsClosed => _closed.IsCancellationRequested;

    public event EventHandler? Closed;

    public void Start()
    {
        _link.RegisterCreditListener((_, _, _) => SignalCredit());
        // a receiver asking for unsettled deliveries gets each disposition settled, so none piles up
        _link.RegisterDispositionListener(delivery => _link.DisposeDelivery(delivery, true, delivery.State));
        _link.Closed += (_, _) => OnClosed();
        _ = PumpAsync(_closed.Token);
    }

    /// <summary>Closes the link with an AMQP error (a receiver with a higher owner level took the partition).</summary>
    public void Evict(string description)
    {
        _link.SafeClose(new AmqpException(AmqpErrorCode.Stolen, description));
        OnClosed();
    }

    private void OnClosed()
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }
        _closed.Cancel();
        Closed?.Invoke(this, EventArgs.Empty);
    }

    private void SignalCredit()
    {
        if (_creditArrived.CurrentCount == 0)
        {
            try
            {
                _creditArrived.Release();
            }
            catch (SemaphoreFullException)
            {
                // another signal got there first: one wake-up is enough
            }
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var credit = _link.LinkCredit;
                if (credit == 0)
                {
                    await _creditArrived.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var events = Entity.Partition.ReadFrom(NextSequenceNumber, (int)Math.Min(credit, MaxBatch));
                if (events.Count == 0)
                {
                    await Entity.Partition.WaitForEventAsync(NextSequenceNumber, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                foreach (var stored in events)
                {
                    var tag = BitConverter.GetBytes(Interlocked.Increment(ref _deliveryTag));
                    _link.SendMessageNoWait(EventMessages.Create(stored), new ArraySegment<byte>(tag), AmqpConstants.NullBinary);
                    NextSequenceNumber = stored.SequenceNumber + 1;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
            // the link or its connection went away while sending: the client reconnects from its own position
            LogPumpStopped(_logger, Entity.Path, ex.Message);
            OnClosed();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "consumer on {Entity} stopped: {Reason}")]
    private static partial void LogPumpStopped(ILogger logger, string entity, string reason);
}
