using System.Threading.Channels;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RetailEdge.IotHub;
using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>
/// Ingest from the store's local MQTT broker (ARCHITECTURE.md §6) on the MQTTnet client: a
/// persistent session (CleanSession = false) subscribed with QoS 1, manual acknowledgement. A
/// message is PUBACKed only after its journal transaction committed, so a crash before that makes
/// the broker redeliver it (and the journal's unique ids make the redelivery a counted duplicate,
/// never a double count). Messages are handed to the engine without waiting, so many share one
/// group commit; PUBACKs go out in arrival order (MQTT 3.1.1 §4.6). A lost connection is retried
/// with jittered back-off (<see cref="ReconnectBackoff"/>) and the topics are subscribed again (a restarted broker may have lost the session).
/// </summary>
public sealed partial class MqttIngestService(GatewayEngine engine, IOptions<StoreGatewayOptions> options, MqttIngestState state, ILogger<MqttIngestService> logger) : BackgroundService
{
    private const int MaxUnacknowledged = 4096;

    // Which connection delivered a message: a PUBACK belongs to that connection only. Sent on a
    // later one, its packet id could name a different message that is not committed yet.
    private readonly SemaphoreSlim _connectionGate = new(1, 1);
    private long _connection;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var topics = settings.ResolvedTopics();
        var pending = Channel.CreateBounded<Received>(MaxUnacknowledged);
        var lost = Channel.CreateUnbounded<Exception?>();
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += async e =>
        {
            e.AutoAcknowledge = false;
            // copied: the engine keeps the bytes beyond this handler
            var payload = System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload);
            var outcome = engine.IngestAsync(payload, IngestSources.Mqtt, stoppingToken);
            try
            {
                // bounded: a full queue holds the broker's delivery back (its in-flight window)
                await pending.Writer.WriteAsync(new Received(e, Interlocked.Read(ref _connection), outcome), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopping: unacknowledged messages are redelivered to the next session
            }
        };
        client.DisconnectedAsync += async e =>
        {
            if (!e.ClientWasConnected)
            {
                return;
            }
            await _connectionGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _connection);
            _connectionGate.Release();
            lost.Writer.TryWrite(e.Exception);
        };

        var acknowledger = AcknowledgeInOrderAsync(pending.Reader, stoppingToken);
        try
        {
            while (true)
            {
                state.State = "connecting";
                await ConnectAndSubscribeAsync(client, settings, topics, stoppingToken).ConfigureAwait(false);
                state.State = "subscribed";
                LogSubscribed(logger, settings.MqttHost!, settings.MqttPort, string.Join(", ", topics));
                var reason = await lost.Reader.ReadAsync(stoppingToken).ConfigureAwait(false);
                LogConnectionLost(logger, settings.MqttHost!, settings.MqttPort, reason?.Message ?? "closed");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: unacknowledged messages are redelivered to the next session
        }
        pending.Writer.TryComplete();
        await acknowledger.ConfigureAwait(false);
        if (client.IsConnected)
        {
            try
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MqttCommunicationException or IOException or OperationCanceledException)
            {
                // gone already
            }
        }
    }

    private async Task ConnectAndSubscribeAsync(IMqttClient client, StoreGatewayOptions settings, IReadOnlyList<string> topics, CancellationToken stoppingToken)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(settings.MqttHost, settings.MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(settings.MqttClientId ?? settings.GatewayId + "-storegateway")
            .WithCleanSession(false)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(30));
        if (settings.MqttUsername is not null)
        {
            // the broker's own accounts (never logged); without a user name the broker must allow anonymous
            builder = builder.WithCredentials(settings.MqttUsername, settings.MqttPassword);
        }
        var connectOptions = builder.Build();
        var subscribeOptions = new MqttClientSubscribeOptions
        {
            TopicFilters = [.. topics.Select(t => new MqttTopicFilterBuilder().WithTopic(t).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())],
        };
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                var connected = await client.ConnectAsync(connectOptions, stoppingToken).ConfigureAwait(false);
                if (connected.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new MqttCommunicationException($"the broker refused the connection: {connected.ResultCode}");
                }
                // with a kept session the broker still has the subscriptions; a restarted one may not
                var subscribed = await client.SubscribeAsync(subscribeOptions, stoppingToken).ConfigureAwait(false);
                var refused = subscribed.Items.FirstOrDefault(i => i.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2));
                if (refused is not null)
                {
                    throw new MqttCommunicationException($"the broker refused the subscription to {refused.TopicFilter.Topic}: {refused.ResultCode}");
                }
                return;
            }
            catch (Exception e) when (e is MqttCommunicationException or IOException or System.Net.Sockets.SocketException or TimeoutException
                || (e is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                var delay = backoff.Next();
                LogConnectFailed(logger, settings.MqttHost!, settings.MqttPort, e.Message, delay);
                if (client.IsConnected)
                {
                    await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
                }
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task AcknowledgeInOrderAsync(ChannelReader<Received> pending, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var received in pending.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await received.Outcome.ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Not journaled: no PUBACK, the broker redelivers it after the next reconnect.
                    LogJournalFailed(logger, received.Message.ApplicationMessage.Topic, e.Message);
                    continue;
                }
                await AcknowledgeAsync(received, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task AcknowledgeAsync(Received received, CancellationToken stoppingToken)
    {
        await _connectionGate.WaitAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            if (received.Connection != Interlocked.Read(ref _connection))
            {
                // delivered on a connection that is gone: the broker redelivers it on this one
                return;
            }
            await received.Message.AcknowledgeAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MqttCommunicationException or IOException or ObjectDisposedException)
        {
            // the connection went away: redelivered after the reconnect, a counted duplicate then
        }
        finally
        {
            _connectionGate.Release();
        }
    }

    public override void Dispose()
    {
        _connectionGate.Dispose();
        base.Dispose();
    }

    private sealed record Received(MqttApplicationMessageReceivedEventArgs Message, long Connection, Task<IngestOutcome> Outcome);

    [LoggerMessage(1, LogLevel.Warning, "Store broker {Host}:{Port} not reachable ({Error}); retrying in {Delay}")]
    private static partial void LogConnectFailed(ILogger logger, string host, int port, string error, TimeSpan delay);

    [LoggerMessage(2, LogLevel.Information, "Subscribed to {Host}:{Port} topics {Topics} (QoS 1, persistent session)")]
    private static partial void LogSubscribed(ILogger logger, string host, int port, string topics);

    [LoggerMessage(3, LogLevel.Error, "Journaling a message from {Topic} failed ({Error}); left unacknowledged for redelivery")]
    private static partial void LogJournalFailed(ILogger logger, string topic, string error);

    [LoggerMessage(4, LogLevel.Warning, "Lost the store broker {Host}:{Port} ({Reason}); reconnecting")]
    private static partial void LogConnectionLost(ILogger logger, string host, int port, string reason);
}
