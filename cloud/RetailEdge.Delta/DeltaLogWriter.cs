using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>
/// Commits prepared transactions with put-if-absent on `_delta_log/{version}.json`. When another
/// writer won the version, the winning commits are checked for logical conflicts and, when there
/// are none, the commit is retried on the newest version after a jittered exponential back-off
/// (never blindly +1: under contention that loses every race). Writes a checkpoint after every
/// N-th commit.
/// </summary>
public sealed class DeltaLogWriter
{
    private readonly DeltaLogReader _reader;
    private readonly ICheckpointCodec? _checkpoints;
    private readonly TimeProvider _timeProvider;
    private readonly DeltaLogOptions _options;
    private readonly Random _random;

    public DeltaLogWriter(DeltaLogReader reader, ICheckpointCodec? checkpoints, TimeProvider timeProvider, DeltaLogOptions? options = null)
    {
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _checkpoints = checkpoints;
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = (options ?? DeltaLogOptions.Default).Validate();
        _random = _options.RandomSeed is { } seed ? new Random(seed) : new Random();
    }

    public async Task<DeltaCommitResult> CommitAsync(DeltaTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        transaction.Validate();
        var readSnapshot = transaction.ReadSnapshot;
        if (readSnapshot is not null)
        {
            DeltaProtocolSupport.EnsureWritable(readSnapshot.Protocol, readSnapshot.Metadata);
            if (DeltaProtocolSupport.IsAppendOnly(readSnapshot.Metadata)
                && transaction.Actions.Any(a => a is RemoveAction { DataChange: true }))
            {
                throw new DeltaException("the table is append-only (delta.appendOnly): rows cannot be removed or overwritten");
            }
        }
        else if (!transaction.Actions.Any(a => a is ProtocolAction) || !transaction.Actions.Any(a => a is MetadataAction))
        {
            throw new DeltaException("creating a table needs a protocol and a metaData action");
        }
        var myTxns = transaction.Actions.OfType<TxnAction>().ToList();
        var version = readSnapshot is null ? 0 : readSnapshot.Version + 1;
        var txnId = Guid.NewGuid().ToString();
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var commitInfo = CommitInfoAction.Create(
                _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                transaction.Operation,
                transaction.OperationParameters,
                readSnapshot?.Version,
                transaction.IsBlindAppend,
                transaction.Metrics.Count > 0 ? transaction.Metrics : null,
                txnId);
            var bytes = DeltaLogCodec.SerializeCommit([commitInfo, .. transaction.Actions]);
            var path = DeltaLogFile.LogFolder + "/" + DeltaLogFile.CommitName(version);
            if (await _reader.Store.TryCreateAsync(path, bytes, cancellationToken).ConfigureAwait(false))
            {
                var (written, error) = await TryCheckpointAsync(version, CheckpointInterval(transaction), cancellationToken).ConfigureAwait(false);
                return new DeltaCommitResult(version, attempt, CheckpointWritten: written) { CheckpointError = error };
            }
            if (attempt >= _options.MaxCommitAttempts)
            {
                throw new DeltaConflictException(
                    $"gave up after {attempt} commit attempts at {_reader.Store.Location}: other writers kept winning version {version}", version);
            }
            var latest = await _reader.LatestVersionAsync(cancellationToken).ConfigureAwait(false) ?? version;
            for (var winner = version; winner <= latest; winner++)
            {
                var winning = await _reader.ReadCommitAsync(winner, cancellationToken).ConfigureAwait(false);
                // the same batch (appId, version) already committed by someone else: idempotent skip
                if (myTxns.Count > 0 && myTxns.All(mine => winning.OfType<TxnAction>()
                        .Any(t => t.AppId == mine.AppId && t.Version >= mine.Version)))
                {
                    return new DeltaCommitResult(null, attempt, Skipped: true);
                }
                var conflict = DeltaConflictChecker.FindConflict(transaction, winner, winning);
                if (conflict is not null)
                {
                    throw new DeltaConflictException($"commit conflict at {_reader.Store.Location}: {conflict}", winner);
                }
            }
            version = Math.Max(version, latest) + 1;
            await Task.Delay(BackOff(attempt), _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the checkpoint of <paramref name="version"/> and the _last_checkpoint hint.</summary>
    public async Task WriteCheckpointAsync(long version, CancellationToken cancellationToken)
    {
        if (_checkpoints is null)
        {
            throw new InvalidOperationException("no checkpoint codec configured");
        }
        var snapshot = await _reader.LoadAsync(version, cancellationToken).ConfigureAwait(false);
        var size = await _checkpoints.WriteAsync(_reader.Store, snapshot, cancellationToken).ConfigureAwait(false);
        var hintPath = DeltaLogFile.LogFolder + "/" + DeltaLogFile.LastCheckpointName;
        var existing = await _reader.Store.ReadAsync(hintPath, cancellationToken).ConfigureAwait(false);
        var current = existing is null ? null : LastCheckpoint.TryParse(existing);
        // never move the hint backwards when a slower writer checkpoints an older version
        if (current is null || current.Version < version)
        {
            await _reader.Store.WriteAsync(hintPath, new LastCheckpoint(version, size).ToJsonBytes(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(bool Written, string? Error)> TryCheckpointAsync(long version, int interval, CancellationToken cancellationToken)
    {
        if (_checkpoints is null || version == 0)
        {
            return (false, null);
        }
        if (version % interval != 0)
        {
            return (false, null);
        }
        try
        {
            await WriteCheckpointAsync(version, cancellationToken).ConfigureAwait(false);
            return (true, null);
        }
        catch (Exception ex) when (ex is DeltaException or IOException)
        {
            // the commit is durable; a missing checkpoint only makes later loads slower
            return (false, ex.Message);
        }
    }

    private int CheckpointInterval(DeltaTransaction transaction)
    {
        if (_options.CheckpointInterval is { } configured)
        {
            return configured;
        }
        var metadata = transaction.Actions.OfType<MetadataAction>().FirstOrDefault() ?? transaction.ReadSnapshot?.Metadata;
        return metadata is not null
            && metadata.Configuration.TryGetValue("delta.checkpointInterval", out var v)
            && int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i > 0
                ? i
                : 10;
    }

    private TimeSpan BackOff(int attempt)
    {
        var ceiling = Math.Min(_options.RetryMaxDelay.TotalMilliseconds,
            _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20)));
        double jitter;
        lock (_random)
        {
            jitter = _random.NextDouble();
        }
        // full jitter: spreads writers that lost the same race
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (0.5 * jitter)));
    }
}
