using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// Sends the outbox upstream (ARCHITECTURE.md §6): alerts first, then oldest seq first, one batch at
/// a time; a batch is marked sent only after the transport's acknowledgement; failures back off
/// exponentially with jitter. Uses its own journal connection (WAL lets it read beside the engine).
/// </summary>
public sealed class OutboxUplink(GatewayEngine engine, IHubTransport transport, ILogger<OutboxUplink>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly Random _random = new();

    /// <summary>Batches acknowledged since start.</summary>
    public long SentCount { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(transport);
        var time = engine.Options.TimeProvider;
        using var journal = GatewayJournals.Open(engine.Options.Journal, engine.Options.DataDirectory);
        var backoff = engine.Options.UplinkMinBackoff;
        // Batches sent but not marked because the disk is full: draining needs no disk space (they are
        // marked once there is room again; after a crash they are sent again with the same seq).
        var unmarked = new HashSet<long>();
        while (!cancellationToken.IsCancellationRequested)
        {
            MarkSentWhenPossible(journal, unmarked, time);
            var row = journal.NextUnsent(unmarked);
            if (row is null)
            {
                await WaitAsync(engine.OutboxSignal, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                continue;
            }
            try
            {
                if (!transport.IsConnected)
                {
                    throw new HubTransportException("not connected");
                }
                await transport.SendAsync(ToMessage(row, engine.Options), cancellationToken).ConfigureAwait(false);
                journal.MarkSent(row.Seq, time.GetUtcNow());
                SentCount++;
                backoff = engine.Options.UplinkMinBackoff;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (GatewayJournals.IsStorageError(e))
            {
                // Sent but not marked (a full disk): remembered here and marked later.
                unmarked.Add(row.Seq);
                SentCount++;
                engine.ReleaseDiskReserve();
                Log.MarkSentFailed(_logger, row.Seq, e.Message);
            }
            catch (HubTransportException e)
            {
                // Exponential back-off with ±20 % jitter, so a fleet does not retry in step.
                var delay = TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * (0.8 + 0.4 * _random.NextDouble()));
                Log.SendFailed(_logger, row.Seq, e.Message, delay);
                await WaitAsync(engine.OutboxSignal, delay, cancellationToken, ignoreSignal: true).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(engine.Options.UplinkMaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    private static void MarkSentWhenPossible(IGatewayJournal journal, HashSet<long> unmarked, TimeProvider time)
    {
        if (unmarked.Count == 0)
        {
            return;
        }
        try
        {
            foreach (var seq in unmarked.Order().ToList())
            {
                journal.MarkSent(seq, time.GetUtcNow());
                unmarked.Remove(seq);
            }
        }
        catch (Exception e) when (GatewayJournals.IsStorageError(e))
        {
            // still no room: try again after the next send
        }
    }

    /// <summary>The IoT Hub message of a stored batch: $.mid, $.ct, $.ce and schema/storeId/seq (ARCHITECTURE.md §5).</summary>
    public static HubMessage ToMessage(OutboxMessageRow row, GatewayEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(options);
        var gzip = row.ContentEncoding == TelemetryMessage.GzipContentEncoding;
        var properties = new Dictionary<string, string>
        {
            ["schema"] = TelemetryBatch.SchemaV1,
            ["storeId"] = options.StoreId.ToString(CultureInfo.InvariantCulture),
            ["seq"] = row.Seq.ToString(CultureInfo.InvariantCulture),
        };
        return new HubMessage(row.Seq, row.IsAlert, TelemetryMessage.MessageId(options.GatewayId, row.Seq),
            gzip ? TelemetryMessage.GzipContentType : TelemetryMessage.JsonContentType, row.ContentEncoding, properties, row.Body);
    }

    private static async Task WaitAsync(SemaphoreSlim signal, TimeSpan timeout, CancellationToken cancellationToken, bool ignoreSignal = false)
    {
        try
        {
            if (ignoreSignal)
            {
                await Task.Delay(timeout, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}
