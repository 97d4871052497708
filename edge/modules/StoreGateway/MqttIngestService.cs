using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RetailEdge.Mqtt;
using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>
/// Ingest from the store's local MQTT broker (ARCHITECTURE.md §6): a persistent session
/// (CleanSession = false) subscribed with QoS 1, manual acknowledgement. A message is PUBACKed only
/// after its journal transaction committed, so a crash before that makes the broker redeliver it
/// (and the journal's unique ids make the redelivery a counted duplicate, never a double count).
/// Messages are handed to the engine without waiting, so many share one group commit; PUBACKs go
/// out in arrival order (MQTT 3.1.1 §4.6).
/// </summary>
public sealed partial class MqttIngestService(GatewayEngine engine, IOptions<StoreGatewayOptions> options, MqttIngestState state, ILogger<MqttIngestService> logger, ILogger<MqttClient> clientLogger) : BackgroundService
{
    private const int MaxUnacknowledged = 4096;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var clientOptions = new MqttClientOptions
        {
            ClientId = settings.MqttClientId ?? settings.GatewayId + "-storegateway",
            ChannelFactory = new MqttTcpChannelFactory(new MqttTcpChannelOptions { Host = settings.MqttHost!, Port = settings.MqttPort, UseTls = false }),
            Credentials = settings.MqttUsername is null ? null : new MqttCredentials(settings.MqttUsername, settings.MqttPassword),
            CleanSession = false,
            AutoAcknowledge = false,
            KeepAlive = TimeSpan.FromSeconds(60),
            MaxPendingMessages = MaxUnacknowledged,
        };
        state.State = "connecting";
        await using var client = new MqttClient(clientOptions, clientLogger);
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await client.ConnectAsync(stoppingToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or MqttConnectException or TimeoutException)
            {
                LogConnectFailed(logger, settings.MqttHost!, settings.MqttPort, e.Message, delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, delay.Ticks * 2));
            }
        }
        var topics = settings.ResolvedTopics();
        await client.SubscribeAsync(topics.Select(t => new MqttSubscription(t, MqttQualityOfService.AtLeastOnce)).ToList(), stoppingToken).ConfigureAwait(false);
        state.State = "subscribed";
        LogSubscribed(logger, settings.MqttHost!, settings.MqttPort, string.Join(", ", topics));

        var pending = Channel.CreateBounded<(MqttReceivedMessage Message, Task<IngestOutcome> Outcome)>(MaxUnacknowledged);
        var acknowledger = AcknowledgeInOrderAsync(client, pending.Reader, stoppingToken);
        try
        {
            await foreach (var message in client.Messages.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var outcome = engine.IngestAsync(message.Payload, IngestSources.Mqtt, stoppingToken);
                await pending.Writer.WriteAsync((message, outcome), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: unacknowledged messages are redelivered to the next session
        }
        pending.Writer.TryComplete();
        await acknowledger.ConfigureAwait(false);
    }

    private async Task AcknowledgeInOrderAsync(MqttClient client, ChannelReader<(MqttReceivedMessage Message, Task<IngestOutcome> Outcome)> pending, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (message, outcome) in pending.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await outcome.ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Not journaled: no PUBACK, the broker redelivers it after the next reconnect.
                    LogJournalFailed(logger, message.Topic, e.Message);
                    continue;
                }
                await client.AcknowledgeAsync(message, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Store broker {Host}:{Port} not reachable ({Error}); retrying in {Delay}")]
    private static partial void LogConnectFailed(ILogger logger, string host, int port, string error, TimeSpan delay);

    [LoggerMessage(2, LogLevel.Information, "Subscribed to {Host}:{Port} topics {Topics} (QoS 1, persistent session)")]
    private static partial void LogSubscribed(ILogger logger, string host, int port, string topics);

    [LoggerMessage(3, LogLevel.Error, "Journaling a message from {Topic} failed ({Error}); left unacknowledged for redelivery")]
    private static partial void LogJournalFailed(ILogger logger, string topic, string error);
}
