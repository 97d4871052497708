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
        // Reads only: the engine's writer marks what was acknowledged, so this connection never
        // takes the journal's write lock from under the acknowledgements of ingest.
        using var journal = new GatewayJournal(engine.Options.DataDirectory);
        var backoff = engine.Options.UplinkMinBackoff;
        // Batches acknowledged by the hub but not yet marked sent: skipped when choosing the next one,
        // marked by the writer in one transaction per round (or once there is disk space again). After a
        // crash before marking they are sent again with the same seq, which the cloud deduplicates.
        var unmarked = new HashSet<long>();
        var marking = new Marking();
        while (!cancellationToken.IsCancellationRequested)
        {
            marking.Settle(unmarked, _logger);
            marking.Start(engine, unmarked, cancellationToken);
            // Before the read: a replay of this batch after it is what keeps it unsent when it is marked.
            var replayEpoch = engine.ReplayEpoch;
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
                unmarked.Add(row.Seq);
                marking.Read(row.Seq, replayEpoch);
                SentCount++;
                backoff = engine.Options.UplinkMinBackoff;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
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

    /// <summary>The one request to the writer to mark acknowledged batches sent that may be in flight.</summary>
    private sealed class Marking
    {
        private Task? _task;
        private long[] _seqs = [];
        // Unmarked batches → the replay epoch before each was read.
        private readonly Dictionary<long, long> _readEpochs = [];

        public void Read(long seq, long replayEpoch) => _readEpochs[seq] = replayEpoch;

        /// <summary>When the request finished: what it marked leaves the set; a failure (a full disk) keeps them for the next round.</summary>
        public void Settle(HashSet<long> unmarked, ILogger logger)
        {
            if (_task is not { IsCompleted: true } task)
            {
                return;
            }
            _task = null;
            if (task.IsCompletedSuccessfully)
            {
                // Replayed ones were left unsent: out of the set, they are read and sent again.
                unmarked.ExceptWith(_seqs);
                foreach (var seq in _seqs)
                {
                    _readEpochs.Remove(seq);
                }
            }
            else if (task.Exception?.GetBaseException() is { } e)
            {
                Log.MarkSentFailed(logger, _seqs[0], e.Message);
            }
        }

        public void Start(GatewayEngine engine, HashSet<long> unmarked, CancellationToken cancellationToken)
        {
            if (_task is not null || unmarked.Count == 0)
            {
                return;
            }
            _seqs = [.. unmarked.Order()];
            _task = engine.MarkSentAsync(_seqs, _seqs.Min(seq => _readEpochs.GetValueOrDefault(seq)), cancellationToken);
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
