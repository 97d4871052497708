using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transport;
using Microsoft.Extensions.Logging;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// IoT Hub's built-in, Event Hubs-compatible endpoint over AMQP 1.0 (Microsoft.Azure.Amqp):
/// SASL <c>MSSBCBS</c>, then claims-based security on <c>$cbs</c> (put-token with a SAS token of
/// the hub's policy), <c>$management</c> READ of the event hub and its partitions, and receiver
/// links on <c>{hub}/ConsumerGroups/{group}/Partitions/{id}</c> (<see cref="PartitionConsumer"/>)
/// with the start filters and owner levels the Event Hubs clients use. The endpoint is read-only,
/// as IoT Hub's is: a sender link to the event hub is refused. Every link needs a token that
/// covers its address; every input from the network is checked (addresses, link names, filter
/// values, request sizes) and refused with an AMQP error that says why.
/// </summary>
public sealed partial class EventHubsEndpoint : IRuntimeProvider, IAsyncDisposable
{
    /// <summary>The SASL mechanism the Event Hubs clients ask for (they refuse plain ANONYMOUS).</summary>
    public const string SaslMechanism = "MSSBCBS";
    public const string CbsAddress = "$cbs";
    public const string ManagementAddress = "$management";
    public const int MaxRequestBytes = 64 * 1024;
    public const int MaxAddressLength = 512;
    public const int MaxLinkNameLength = 256;

    private readonly EventHubLog _log;
    private readonly EventHubsAuthorizer _authorizer;
    private readonly Func<string, bool> _consumerGroupExists;
    private readonly X509Certificate2? _certificate;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConsumerRegistry _consumers = new();
    private readonly ManagementNode _management;
    private LoopbackTransportListener? _socketListener;
    private AmqpTransportListener? _listener;
    private AmqpSettings? _settings;

    public EventHubsEndpoint(EventHubLog log, EventHubsAuthorizer authorizer, Func<string, bool> consumerGroupExists, X509Certificate2? certificate,
        TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _log = log;
        _authorizer = authorizer;
        _consumerGroupExists = consumerGroupExists;
        _certificate = certificate;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<EventHubsEndpoint>();
        _management = new ManagementNode(log, authorizer, timeProvider);
    }

    public IPEndPoint BoundEndPoint => _socketListener?.BoundEndPoint ?? throw new InvalidOperationException("the Event Hubs endpoint is not started");

    /// <summary>Links refused (bad address, filter, token, owner level), for tests and diagnostics.</summary>
    public long LinksRefused => Interlocked.Read(ref _linksRefused);

    private long _linksRefused;

    public void Start(IPEndPoint endPoint)
    {
        var sasl = new SaslTransportProvider();
        sasl.Versions.Add(new AmqpVersion(1, 0, 0));
        sasl.AddHandler(new SaslAnonymousHandler(SaslMechanism));
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        _settings = new AmqpSettings { RuntimeProvider = this };
        _settings.TransportProviders.Add(sasl);
        _settings.TransportProviders.Add(amqp);
        _socketListener = new LoopbackTransportListener(endPoint, _certificate);
        _listener = new AmqpTransportListener([_socketListener], _settings);
        _listener.Open();
        _listener.Listen(OnAcceptTransport);
    }

    public ValueTask DisposeAsync()
    {
        _listener?.SafeClose();
        _consumers.CloseAll();
        return ValueTask.CompletedTask;
    }

    AmqpConnection IConnectionFactory.CreateConnection(TransportBase transport, ProtocolHeader protocolHeader, bool isInitiator, AmqpSettings amqpSettings, AmqpConnectionSettings connectionSettings)
    {
        var connection = new AmqpConnection(transport, protocolHeader, false, amqpSettings, connectionSettings);
        connection.Extensions.Add(new ConnectionState());
        return connection;
    }

    AmqpSession ISessionFactory.CreateSession(AmqpConnection connection, AmqpSessionSettings settings) => new(connection, settings, this);

    AmqpLink ILinkFactory.CreateLink(AmqpSession session, AmqpLinkSettings settings)
    {
        try
        {
            return CreateLink(session, settings);
        }
        catch (AmqpException ex)
        {
            Interlocked.Increment(ref _linksRefused);
            LogLinkRefused(_logger, Shorten(settings.LinkName), ex.Error.Condition.Value, ex.Error.Description);
            throw;
        }
    }

    IAsyncResult ILinkFactory.BeginOpenLink(AmqpLink link, TimeSpan timeout, AsyncCallback callback, object state)
    {
        try
        {
            OpenLink(link);
        }
        catch (AmqpException ex)
        {
            Interlocked.Increment(ref _linksRefused);
            LogLinkRefused(_logger, Shorten(link.Name), ex.Error.Condition.Value, ex.Error.Description);
            throw;
        }
        var result = new CompletedResult(state);
        callback?.Invoke(result);
        return result;
    }

    void ILinkFactory.EndOpenLink(IAsyncResult result)
    {
    }

    private AmqpLink CreateLink(AmqpSession session, AmqpLinkSettings settings)
    {
        if (settings.LinkName is null || settings.LinkName.Length > MaxLinkNameLength)
        {
            throw new AmqpException(AmqpErrorCode.InvalidField, $"a link name is required and may have at most {MaxLinkNameLength} characters");
        }
        if (settings.Role == true)
        {
            // the client sends: only requests to $cbs and $management are accepted
            var address = AddressOf(settings.Target);
            if (address is not (CbsAddress or ManagementAddress))
            {
                throw new AmqpException(AmqpErrorCode.NotAllowed, "the built-in endpoint is read-only: only $cbs and $management accept messages; devices send through the hub");
            }
            settings.MaxMessageSize = MaxRequestBytes;
            settings.TotalLinkCredit = 50;
            settings.AutoSendFlow = true;
            settings.SettleType = SettleMode.SettleOnSend;
            return new ReceivingAmqpLink(session, settings);
        }
        var source = AddressOf(settings.Source);
        if (source is not (CbsAddress or ManagementAddress))
        {
            // validated now so a bad address is refused at attach
            _ = EntityAddress.Parse(source, _log.Name, _log, _consumerGroupExists);
        }
        return new SendingAmqpLink(session, settings);
    }

    private void OpenLink(AmqpLink link)
    {
        var state = link.Session.Connection.Extensions.Find<ConnectionState>()!;
        if (link.IsReceiver)
        {
            var node = AddressOf(link.Settings.Target);
            ((ReceivingAmqpLink)link).RegisterMessageListener(message => OnRequest((ReceivingAmqpLink)link, node, state, message));
            return;
        }
        var source = AddressOf(link.Settings.Source);
        if (source is CbsAddress or ManagementAddress)
        {
            var replyTo = AddressOf(link.Settings.Target);
            state.AddReplyLink(replyTo, (SendingAmqpLink)link);
            return;
        }
        var entity = EntityAddress.Parse(source, _log.Name, _log, _consumerGroupExists);
        if (!state.IsAuthorized(entity.Path, _timeProvider.GetUtcNow()))
        {
            throw new AmqpException(AmqpErrorCode.UnauthorizedAccess, $"no valid token covers '{Shorten(source)}': put a token on $cbs first");
        }
        var position = ReadStartPosition(link.Settings.Source as Source);
        long? ownerLevel = null;
        if (link.Settings.Properties is { } properties && properties.TryGetValue<object>(PartitionConsumer.OwnerLevelProperty, out var level))
        {
            ownerLevel = level switch
            {
                long l => l,
                int i => i,
                _ => throw new AmqpException(AmqpErrorCode.InvalidField, "com.microsoft:epoch must be a long"),
            };
        }
        var consumer = new PartitionConsumer((SendingAmqpLink)link, entity, ownerLevel, entity.Partition.StartOf(position), _logger);
        _consumers.Add(consumer);
        consumer.Start();
        LogConsumerAttached(_logger, entity.ConsumerGroup, entity.Partition.PartitionId, ownerLevel ?? -1, consumer.NextSequenceNumber);
    }

    private static EventPosition ReadStartPosition(Source? source)
    {
        if (source?.FilterSet is null || source.FilterSet.Count == 0)
        {
            return EventPosition.Earliest;
        }
        string? expression = null;
        foreach (var (key, value) in source.FilterSet)
        {
            // the filter is keyed, and described, by the selector filter's name or by a numeric code (clients differ)
            if (value is Microsoft.Azure.Amqp.Encoding.DescribedType described
                && (IsSelector(key.Key) || IsSelector(described.Descriptor) || described is AmqpDescribed { DescriptorName: { } name } && IsSelector(name)))
            {
                expression = described.Value as string ?? throw new AmqpException(AmqpErrorCode.InvalidField, "the selector filter's value must be a string");
            }
        }
        if (expression is null)
        {
            throw new AmqpException(AmqpErrorCode.NotImplemented, "only the apache.org:selector-filter:string filter is supported");
        }
        if (!EventPositionFilter.TryParse(expression, out var position, out var error))
        {
            throw new AmqpException(AmqpErrorCode.InvalidField, error);
        }
        return position;
    }

    private static bool IsSelector(object? descriptor) => descriptor switch
    {
        Microsoft.Azure.Amqp.Encoding.AmqpSymbol symbol => symbol.Value == EventPositionFilter.SelectorFilterName,
        string text => text == EventPositionFilter.SelectorFilterName,
        ulong code => code is EventPositionFilter.SelectorFilterCode or EventPositionFilter.SelectorFilterCodeMicrosoft,
        _ => false,
    };

    private void OnRequest(ReceivingAmqpLink link, string node, ConnectionState state, AmqpMessage request)
    {
        try
        {
            link.AcceptMessage(request, false);
            var response = node == CbsAddress ? HandlePutToken(state, request) : _management.Handle(request, state);
            var replyTo = request.Properties.ReplyTo?.ToString();
            response.Properties.CorrelationId = request.Properties.MessageId;
            var replyLink = state.FindReplyLink(replyTo);
            if (replyLink is null)
            {
                LogNoReplyLink(_logger, node, Shorten(replyTo ?? "(none)"));
                return;
            }
            replyLink.SendMessageNoWait(response, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary);
        }
        finally
        {
            request.Dispose();
        }
    }

    private AmqpMessage HandlePutToken(ConnectionState state, AmqpMessage request)
    {
        var properties = request.ApplicationProperties?.Map;
        var operation = properties?["operation"] as string;
        if (operation != "put-token")
        {
            return RequestResponse.Status(400, "the $cbs operation must be put-token");
        }
        var token = (request.ValueBody?.Value as string) ?? (properties?["token"] as string);
        if (!_authorizer.TryAuthorize(token, out var scope, out var error))
        {
            // the reason only: the token itself never reaches a log
            LogTokenRefused(_logger, error);
            return RequestResponse.Status(401, "Unauthorized: " + error);
        }
        state.Authorize(scope!);
        return RequestResponse.Status(202, "Accepted");
    }

    private void OnAcceptTransport(TransportListener listener, TransportAsyncCallbackArgs args)
    {
        AmqpConnection? connection = null;
        try
        {
            var settings = new AmqpConnectionSettings { ContainerId = "retailedge-" + _log.Name, MaxFrameSize = 64 * 1024, IdleTimeOut = 120_000 };
            connection = ((IConnectionFactory)this).CreateConnection(args.Transport, (ProtocolHeader)args.UserToken, false, _settings!, settings);
            connection.Closed += (_, _) => _consumers.RemoveConnection(connection);
            _ = OpenConnectionAsync(connection);
        }
#pragma warning disable CA1031 // one client's failure closes its connection; the endpoint goes on
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            if (connection is null)
            {
                args.Transport.SafeClose(ex);
            }
            else
            {
                connection.SafeClose(ex);
            }
        }
    }

    private async Task OpenConnectionAsync(AmqpConnection connection)
    {
        try
        {
            await connection.OpenAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a connection that fails to open is closed; the endpoint goes on
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            LogConnectionFailed(_logger, ex.Message);
            connection.SafeClose(ex);
        }
    }

    private static string AddressOf(object? terminus) => terminus switch
    {
        Source { Address: { } address } => Validate(address.ToString()),
        Target { Address: { } address } => Validate(address.ToString()),
        _ => throw new AmqpException(AmqpErrorCode.InvalidField, "the link has no address"),
    };

    private static string Validate(string? address) =>
        string.IsNullOrEmpty(address) || address.Length > MaxAddressLength
            ? throw new AmqpException(AmqpErrorCode.InvalidField, $"an address is required and may have at most {MaxAddressLength} characters")
            : address;

    private static string Shorten(string? text) => text is { Length: > 80 } ? text[..80] + "…" : text ?? string.Empty;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event Hubs link {LinkName} refused: {Condition} {Description}")]
    private static partial void LogLinkRefused(ILogger logger, string linkName, string condition, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event Hubs token refused: {Reason}")]
    private static partial void LogTokenRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event Hubs request on {Node} names reply-to {ReplyTo}, which no link of the connection receives")]
    private static partial void LogNoReplyLink(ILogger logger, string node, string replyTo);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event Hubs connection failed to open: {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Hubs consumer attached: group {ConsumerGroup}, partition {PartitionId}, owner level {OwnerLevel}, from sequence number {SequenceNumber}")]
    private static partial void LogConsumerAttached(ILogger logger, string consumerGroup, string partitionId, long ownerLevel, long sequenceNumber);

    private sealed class CompletedResult(object? state) : IAsyncResult
    {
        public object? AsyncState { get; } = state;

        public WaitHandle AsyncWaitHandle => throw new NotSupportedException();

        public bool CompletedSynchronously => true;

        public bool IsCompleted => true;
    }
}
