using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Aggregation;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// The gateway's single writer: validated events come in from any ingest path, are journaled in
/// group commits (many events per SQLite transaction; a caller's task completes right after the
/// commit, so acknowledged means durable), then fed to the <see cref="GatewayAggregator"/>, and sealed
/// batches are stored in the outbox in the same transaction that marks their events sealed. One loop
/// owns the journal connection and the aggregator, so no locks are needed around them.
/// </summary>
/// <remarks>
/// Aggregation is off the acknowledgement path too: a committed group is acknowledged first and then
/// aggregated on a thread of its own (<see cref="AggregationLane"/>) while the writer commits the next
/// group (a two-stage pipeline: journal, then aggregate, each at most one group ahead of the other); a
/// small group is aggregated on the writer right after its acknowledgement. Whatever else touches the aggregator (sealing,
/// settings, status, a rebuild) first waits for that group. A crash between a commit and its
/// aggregation loses nothing: the events are in the journal, unsealed, and the restart aggregates them.
/// <para>
/// Sealing stays off the acknowledgement path: the writer only takes the closed windows out of the
/// aggregator (<see cref="GatewayAggregator.Close"/>, no per-event work); building rows, JSON and gzip
/// run beside it, one job after another in close order (seqs are given there, gap-free); the writer
/// then stores a job's batches in steps of at most <see cref="StoreStepBytes"/> between group commits,
/// and the last step marks its events by tag ranges and moves next_seq, which makes the job visible. A
/// job in flight is only memory (and invisible steps): after a crash its events are unsealed in the
/// journal and sealed again, with the same seqs. The uplink's acknowledgements are marked by the writer too, gathered, so that no
/// second connection competes for the journal's write lock.
/// </para>
/// </remarks>
public sealed partial class GatewayEngine : IDisposable
{
    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How often (real time, at most) the writer asks the checkpointer to copy the WAL into the database.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    private static readonly Task<int> NothingSealed = Task.FromResult(0);

    private static readonly DateTimeOffset FarFuture = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Most batch bytes the writer stores in one step. A busy minute seals ≈ 1,000 batches (≈ 15 MB):
    /// stored in one transaction that would hold the write lock, and the acknowledgements, for a long
    /// fsync; in steps of this size each costs about one group commit, and commits run in between.
    /// </summary>
    private const int StoreStepBytes = 512 * 1024;

    private readonly GatewayEngineOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GatewayJournal _journal;
    private readonly DiskReserve _reserve;
    private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _outboxSignal = new(0, int.MaxValue);
    private readonly SemaphoreSlim _checkpointSignal = new(0, 1);
    private readonly Queue<(DateTimeOffset At, long Accepted)> _rate = new();
    // Owned by the writer, but fed beside it: after a group commit the writer acknowledges the group,
    // then hands its events to _aggregation and commits the next group while they are aggregated. Every
    // other use goes through Aggregator, which first waits for that work (one user at a time).
    private GatewayAggregator _aggregator = null!;
    private Task _aggregation = Task.CompletedTask;
    // Set while the writer runs (RunWriterAsync).
    private AggregationLane? _lane;

    /// <summary>
    /// Groups smaller than this are aggregated on the writer, after their acknowledgement: handing a few
    /// events to another thread costs more than aggregating them (a store's usual group is one event).
    /// </summary>
    private const int InlineAggregationMaxEvents = 64;

    /// <summary>
    /// Time for the disk budget's deletions per turn of the writer loop (at least one step: 200 events or 16 sent
    /// batches): a gateway that must free hundreds of MB at 5,000 events/s does it over many turns between group
    /// commits instead of holding every acknowledgement for seconds.
    /// </summary>
    private static readonly TimeSpan BudgetTimePerTurn = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// WAL size (4 KB frames, 64 MB) past which the writer finishes a checkpoint itself so that the WAL starts over.
    /// Under a steady stream of commits the checkpointer's passive passes never catch up with the last frame, so
    /// the WAL never starts over: at 5,000 events/s it grew to 3.5 GB in two minutes (beside a 1 GB disk budget),
    /// and when it finally did, checkpointing hundreds of MB held one group commit for 1.6 s.
    /// </summary>
    private const long WalStartOverFrames = 16_384;

    // Set by the checkpointer right after a pass that found the WAL past WalStartOverFrames: the writer then
    // copies the few frames committed since (nothing is committed while it does), so the checkpoint is complete.
    private volatile bool _walStartOverWanted;

    // No alert-only seal before this (Environment.TickCount64): GatewayEngineOptions.AlertInterval.
    private long _nextAlertSealTick;

    // The disk budget's deletions in progress (continued at the next turn of the writer loop), or null.
    private BudgetSweep? _budgetSweep;

    /// <summary>A turn of the writer loop this long held up the acknowledgements queued meanwhile: it is logged with its parts.</summary>
    private static readonly TimeSpan SlowTurn = TimeSpan.FromMilliseconds(100);
    // This turn's time in journal appends and in waiting for the aggregation lane (Stopwatch ticks), for the slow-turn log.
    private long _turnAppendTicks;
    private long _turnAggregationWaitTicks;
    // Jobs are encoded one after another on the pool (FIFO through this chain); a rebuild starts a new
    // Sealer, and what an older one still hands back is dropped.
    private Task _sealChain = Task.CompletedTask;
    private Sealer _sealer = null!;
    private Task<int> _lastStored = Task.FromResult(0);
    private long _nextSeq;
    private long _lateEvents;
    // Encoded jobs waiting to be stored, in close order; the writer stores one step per loop round.
    private readonly Queue<StoreStep> _storeSteps = new();
    private volatile EventValidator _validator = null!;
    private volatile GatewayStatus _status;
    private GatewaySettings _settings;
    private ReferenceCatalog? _reference;
    private DateTimeOffset _startedAt;
    private DateTimeOffset? _lastEventAt;
    private long _accepted;
    private bool _overBudget;
    // disk_full: set by a commit that failed for want of space or by the free-space probe; cleared by
    // the probe once twice the minimum is free again. Read by ingest callers on other threads.
    private volatile bool _diskFull;
    private long _replayEpoch;
    // Writer thread only: the last replays, for MarkSentAsync.
    private readonly Queue<(long Epoch, long From, long To)> _recentReplays = new();
    private const int RecentReplaysKept = 64;
    private long _diskFreeBytes = -1;

    public GatewayEngine(GatewayEngineOptions options, ILogger<GatewayEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = options.TimeProvider;
        _startedAt = _time.GetUtcNow();
        _reserve = new DiskReserve(options.DataDirectory, options.DiskReserveBytes);
        _journal = OpenJournal();
        _settings = options.InitialSettings;
        if (_journal.GetMeta("settings") is { } saved)
        {
            using var document = JsonDocument.Parse(saved);
            var (restored, _) = GatewaySettings.Apply(options.InitialSettings, document.RootElement);
            _settings = restored ?? _settings;
        }
        if (_journal.LoadReferenceData() is { } stored)
        {
            try
            {
                _reference = new ReferenceCatalog(ReferenceDataCodec.Deserialize(stored.Payload), stored.Version);
            }
            catch (FormatException e)
            {
                Log.ReferenceRejected(_logger, e.Message);
            }
        }
        Rebuild();
        // A full disk at start is drain-only mode, not a failure to start.
        RefreshDiskState();
        _status = BuildStatus();
    }

    public GatewayEngineOptions Options => _options;

    public GatewaySettings Settings => _settings;

    /// <summary>The latest status snapshot (refreshed every seal tick).</summary>
    public GatewayStatus Status => _status;

    /// <summary>Released whenever batches are stored or marked for replay: the uplink waits on it.</summary>
    public SemaphoreSlim OutboxSignal => _outboxSignal;

    public string JournalPath => _journal.Path;

    /// <summary>Validates events on the caller's thread, then journals them in the next group commit.</summary>
    public async Task<IReadOnlyList<IngestOutcome>> IngestAsync(IReadOnlyList<ReadOnlyMemory<byte>> events, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return [];
        }
        if (_diskFull)
        {
            // Drain-only: refuse before validating or queueing anything.
            throw new JournalDiskFullException();
        }
        var validator = _validator;
        var now = _time.GetUtcNow();
        var entries = new JournalEntry[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var raw = events[i].Span;
            entries[i] = JournalEntry.Create(raw, Validate(validator, raw, now), now, source);
        }
        var command = new IngestCommand(entries);
        await _commands.Writer.WriteAsync(command, cancellationToken).ConfigureAwait(false);
        await command.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var outcomes = new IngestOutcome[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            outcomes[i] = entries[i].Outcome;
        }
        return outcomes;
    }

    /// <summary>
    /// The validator never throws on any byte sequence (its tests and the fuzz suite hold it to that);
    /// should a future change break that, the event is still a counted, quarantined reject rather than
    /// an exception that fails a whole request or leaves a broker message unacknowledged forever.
    /// </summary>
    private ValidationResult Validate(EventValidator validator, ReadOnlySpan<byte> raw, DateTimeOffset now)
    {
        try
        {
            return validator.Validate(raw, now);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or OverflowException or JsonException)
        {
            Log.ValidatorFailed(_logger, e);
            return ValidationResult.Rejected(ReasonCodes.MalformedJson, "unreadable: " + e.GetType().Name);
        }
    }

    public async Task<IngestOutcome> IngestAsync(ReadOnlyMemory<byte> raw, string source, CancellationToken cancellationToken) =>
        (await IngestAsync([raw], source, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Seals everything now (the flush method); returns how many batches were stored.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var stored = await InvokeAsync(() => QueueSeal(force: true), cancellationToken).ConfigureAwait(false);
        return await stored.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts replays. The uplink reads it before it reads a batch to send and gives it back with the acknowledged
    /// batches to mark: a replay that came after the read is not undone by marking the batch sent.
    /// </summary>
    public long ReplayEpoch => Interlocked.Read(ref _replayEpoch);

    /// <summary>
    /// Marks batches the hub acknowledged as sent (the uplink's bookkeeping, done by the writer in one
    /// short transaction so the uplink never holds the journal's write lock). <paramref name="readInReplayEpoch"/>:
    /// the <see cref="ReplayEpoch"/> before the oldest of them was read; batches replayed since stay unsent and go again.
    /// </summary>
    public Task MarkSentAsync(IReadOnlyCollection<long> seqs, long readInReplayEpoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        return InvokeAsync(() =>
        {
            try
            {
                _journal.MarkSent([.. seqs.Where(seq => !ReplayedSince(seq, readInReplayEpoch))], _time.GetUtcNow());
            }
            catch (Exception e) when (IsDiskFull(e))
            {
                ReleaseDiskReserve();
                throw;
            }
            return true;
        }, cancellationToken);
    }

    /// <summary>Applies a desired-properties document or patch; returns the error (settings unchanged) or null.</summary>
    public Task<string?> ApplyDesiredAsync(JsonElement desired, CancellationToken cancellationToken)
    {
        var copy = desired.Clone();
        return InvokeAsync(() =>
        {
            var (next, error) = GatewaySettings.Apply(_settings, copy);
            if (next is null)
            {
                Log.ConfigRejected(_logger, error!);
                return error;
            }
            Aggregator.UpdateSettings(next);
            _settings = next;
            PersistUnlessDiskFull(() => _journal.SetMeta("settings", next.ToDesiredJson()), "settings");
            Log.SettingsApplied(_logger, next.Window, next.AllowedLateness, next.SendInterval, next.MaxBatchBytes);
            return (string?)null;
        }, cancellationToken);
    }

    /// <summary>Applies a verified reference payload atomically: validator, alert rules and journal switch together.</summary>
    public Task ApplyReferenceDataAsync(byte[] payload, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var set = ReferenceDataCodec.Deserialize(payload);
        if (set.StoreId != _options.StoreId)
        {
            throw new FormatException($"reference data is for store {set.StoreId}, this gateway serves store {_options.StoreId}");
        }
        var catalog = new ReferenceCatalog(set, version);
        return InvokeAsync(() =>
        {
            PersistUnlessDiskFull(() => _journal.SaveReferenceData(version, payload), "reference data");
            _reference = catalog;
            Aggregator.UpdateReference(catalog);
            _validator = CreateValidator();
            Log.ReferenceApplied(_logger, version, catalog.Count);
            _status = BuildStatus();
            return true;
        }, cancellationToken);
    }

    /// <summary>Marks stored batches with seq in [from, to] for resending with their original seq.</summary>
    public Task<int> ReplayAsync(long from, long to, CancellationToken cancellationToken) => InvokeAsync(() =>
    {
        var count = _journal.MarkForReplay(from, to);
        _recentReplays.Enqueue((Interlocked.Increment(ref _replayEpoch), from, to));
        if (_recentReplays.Count > RecentReplaysKept)
        {
            _recentReplays.Dequeue();
        }
        _outboxSignal.Release();
        return count;
    }, cancellationToken);

    private bool ReplayedSince(long seq, long epoch)
    {
        if (_recentReplays.Count > 0 && epoch < _recentReplays.Peek().Epoch - 1)
        {
            // Older than the replays kept: it may have been replayed, and sending it again costs only a duplicate the cloud drops.
            return true;
        }
        foreach (var (replayEpoch, from, to) in _recentReplays)
        {
            if (replayEpoch > epoch && seq >= from && seq <= to)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Seals what is due and waits until it is stored, then returns a fresh status (ordered after every ingest already acknowledged).</summary>
    public async Task<GatewayStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        // On a full disk nothing is sealed (and nothing waited for): the status must still answer.
        var stored = await InvokeAsync(() => _diskFull ? NothingSealed : QueueSeal(force: false), cancellationToken).ConfigureAwait(false);
        await stored.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await InvokeAsync(() =>
        {
            _status = BuildStatus();
            return _status;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs retention and the disk budget now.</summary>
    public Task<long> MaintainAsync(CancellationToken cancellationToken) => InvokeAsync(Maintain, cancellationToken);

    /// <summary>Quarantine rows (reason, event id, raw) — for the status method and tests.</summary>
    public Task<IReadOnlyList<QuarantinedEvent>> ReadQuarantineAsync(CancellationToken cancellationToken) =>
        InvokeAsync(_journal.ReadQuarantine, cancellationToken);

    /// <summary>The engine loop: group commits, sealing on every commit and tick, maintenance.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stopCheckpoints = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var checkpoints = Task.Run(() => CheckpointLoopAsync(stopCheckpoints.Token), CancellationToken.None);
        try
        {
            await RunWriterAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopCheckpoints.CancelAsync().ConfigureAwait(false);
            await checkpoints.ConfigureAwait(false);
        }
    }

    private async Task RunWriterAsync(CancellationToken cancellationToken)
    {
        var group = new List<IngestCommand>();
        var entries = new List<JournalEntry>();
        using var lane = new AggregationLane();
        _lane = lane;
        try
        {
            await RunLoopAsync(group, entries, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The last group finishes before the lane stops (its events are in the journal either way).
            AwaitAggregation(rebuildOnFailure: false);
            _lane = null;
        }
    }

    private async Task RunLoopAsync(List<IngestCommand> group, List<JournalEntry> entries, CancellationToken cancellationToken)
    {
        var reader = _commands.Reader;
        var nextMaintenance = _time.GetUtcNow();
        var nextStatusTick = 0L;
        var nextCheckpointTick = 0L;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Waits for work unless a seal's outbox steps or the budget's deletions are still to do.
            if (!reader.TryPeek(out _) && _storeSteps.Count == 0 && _budgetSweep is null)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                tick.CancelAfter(_options.SealTick);
                try
                {
                    await reader.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }
                    // otherwise: the seal tick
                }
            }
            var turnStarted = Stopwatch.GetTimestamp();
            (_turnAppendTicks, _turnAggregationWaitTicks) = (0, 0);
            var pausedBefore = GC.GetTotalPauseDuration();
            while (entries.Count < _options.MaxEventsPerCommit && reader.TryRead(out var command))
            {
                if (command is IngestCommand ingest)
                {
                    group.Add(ingest);
                    entries.AddRange(ingest.Entries);
                    continue;
                }
                Commit(group, entries);
                command.Run();
            }
            Commit(group, entries);
            var committed = Stopwatch.GetTimestamp();
            if (!_diskFull && _aggregation.IsCompleted)
            {
                // Sealing writes the outbox: pointless while the disk is full (the windows stay open and are
                // sealed later). While a group is still being aggregated, Commit seals before handing on the next.
                _ = QueueSeal(force: false);
            }
            var sealQueued = Stopwatch.GetTimestamp();
            StoreNextStep();
            var stored = Stopwatch.GetTimestamp();
            var now = _time.GetUtcNow();
            if (_budgetSweep is not null)
            {
                TryMaintain(ContinueBudgetSweep);
            }
            else if (now >= nextMaintenance)
            {
                TryMaintain(StartMaintenance);
                nextMaintenance = now + _options.MaintenanceInterval;
            }
            var maintained = Stopwatch.GetTimestamp();
            if (_walStartOverWanted)
            {
                _walStartOverWanted = false;
                CompleteCheckpoint();
            }
            if (Environment.TickCount64 >= nextStatusTick)
            {
                RefreshDiskState();
                // The status costs a few queries: refresh it at most every StatusInterval of real time
                // (GetStatusAsync is exact).
                _status = BuildStatus();
                nextStatusTick = Environment.TickCount64 + (long)StatusInterval.TotalMilliseconds;
                if (_budgetSweep is null && !_diskFull && !_overBudget && _status.JournalBytes > ConfiguredBudgetBytes)
                {
                    // Past the budget between maintenances: a busy store writes hundreds of MB in one MaintenanceInterval,
                    // and the file would keep that size. The sweep starts now and goes on in turns, as at maintenance.
                    _budgetSweep = new BudgetSweep();
                }
            }
            if (Environment.TickCount64 >= nextCheckpointTick)
            {
                if (_checkpointSignal.CurrentCount == 0)
                {
                    _checkpointSignal.Release();
                }
                nextCheckpointTick = Environment.TickCount64 + (long)CheckpointInterval.TotalMilliseconds;
            }
            var turn = Stopwatch.GetElapsedTime(turnStarted);
            if (turn >= SlowTurn)
            {
                // Commands that arrived during this turn waited for it: say where the time went.
                Log.SlowWriterTurn(_logger, turn.TotalMilliseconds, Stopwatch.GetElapsedTime(turnStarted, committed).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(0, _turnAppendTicks).TotalMilliseconds, Stopwatch.GetElapsedTime(0, _turnAggregationWaitTicks).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(committed, sealQueued).TotalMilliseconds, Stopwatch.GetElapsedTime(sealQueued, stored).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(stored, maintained).TotalMilliseconds, Stopwatch.GetElapsedTime(maintained).TotalMilliseconds,
                    (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds);
            }
        }
        // Commands still queued are failed so no caller waits for an acknowledgement that will not come.
        while (reader.TryRead(out var left))
        {
            left.Cancel();
        }
    }

    public void Dispose()
    {
        _journal.Dispose();
        _outboxSignal.Dispose();
        _checkpointSignal.Dispose();
    }

    /// <summary>
    /// Copies the WAL into the database beside the writer (passive checkpoints on a second
    /// connection), so that a commit, and with it an acknowledgement, never waits for one.
    /// </summary>
    private async Task CheckpointLoopAsync(CancellationToken cancellationToken)
    {
        // Opened lazily and reopened after a failure: the writer never checkpoints itself, so a
        // checkpointer that gave up for good would let the WAL grow without bound.
        GatewayJournal? journal = null;
        try
        {
            while (true)
            {
                await _checkpointSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    journal ??= new GatewayJournal(_options.DataDirectory);
                    // Drain-only on a full disk, no acknowledgement waits for the writer: the WAL file gives its space back.
                    journal.Checkpoint(truncateWal: _diskFull);
                    if (journal.WalFrames >= WalStartOverFrames)
                    {
                        _walStartOverWanted = true;
                    }
                }
                catch (Microsoft.Data.Sqlite.SqliteException e)
                {
                    // A busy or failed checkpoint loses nothing (the WAL keeps every commit); the next one catches up.
                    Log.CheckpointFailed(_logger, e.Message);
                    journal?.Dispose();
                    journal = null;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            journal?.Dispose();
        }
    }

    private Task<T> InvokeAsync<T>(Func<T> action, CancellationToken cancellationToken)
    {
        var command = new InvokeCommand<T>(action);
        if (!_commands.Writer.TryWrite(command))
        {
            throw new InvalidOperationException("the engine is stopped");
        }
        return command.Completion.Task.WaitAsync(cancellationToken);
    }

    private void Commit(List<IngestCommand> group, List<JournalEntry> entries)
    {
        if (group.Count == 0)
        {
            return;
        }
        try
        {
            var appending = Stopwatch.GetTimestamp();
            _journal.Append(entries, _overBudget && _settings.DropPolicy == GatewaySettings.RejectNew);
            _turnAppendTicks += Stopwatch.GetTimestamp() - appending;
        }
        catch (Exception e)
        {
            Exception failure = e;
            if (IsDiskFull(e))
            {
                // Nothing of this group is journaled (the transaction rolled back) and nothing was acknowledged.
                _diskFull = true;
                Log.DiskFull(_logger, _diskFreeBytes);
                _status = BuildStatus();
                failure = new JournalDiskFullException("the journal's disk is full; the events were not journaled", e);
            }
            foreach (var command in group)
            {
                command.Completion.TrySetException(failure);
            }
            group.Clear();
            entries.Clear();
            return;
        }
        foreach (var entry in entries)
        {
            if (entry.Outcome.Status == IngestStatus.Accepted)
            {
                _accepted++;
                _lastEventAt = entry.ReceivedAt;
            }
        }
        // Durable now: acknowledge before aggregating. The windows are rebuilt from the journal after a
        // crash, so an event acknowledged but not yet aggregated is aggregated again at the restart.
        foreach (var command in group)
        {
            command.Completion.TrySetResult();
        }
        group.Clear();
        // The previous group's aggregation ran beside this commit.
        var waiting = Stopwatch.GetTimestamp();
        AwaitAggregation(rebuildOnFailure: true);
        _turnAggregationWaitTicks += Stopwatch.GetTimestamp() - waiting;
        var aggregator = _aggregator;
        var forwardRaw = _settings.ForwardRaw;
        if (_lane is null || entries.Count < InlineAggregationMaxEvents)
        {
            // The loop seals after this, as it always did.
            _aggregation = Task.CompletedTask;
            try
            {
                Aggregate(aggregator, entries, forwardRaw);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _aggregation = Task.FromException(e);
            }
            entries.Clear();
            return;
        }
        if (!_diskFull)
        {
            // Seal what is due before handing this group on (under a steady load the lane is seldom idle
            // when the loop looks), as of just before the group's first event was received: a window its
            // events belong to is not closed without them.
            var firstReceived = entries[0].ReceivedAt;
            foreach (var entry in entries)
            {
                firstReceived = entry.ReceivedAt < firstReceived ? entry.ReceivedAt : firstReceived;
            }
            _ = QueueSeal(force: false, asOf: firstReceived);
        }
        var committed = entries.ToArray();
        entries.Clear();
        Log.AggregationQueued(_logger, committed.Length);
        _aggregation = _lane.Post(() => Aggregate(aggregator, committed, forwardRaw));
    }

    /// <summary>The aggregator, once the events handed to it beside the writer are in.</summary>
    private GatewayAggregator Aggregator
    {
        get
        {
            AwaitAggregation(rebuildOnFailure: true);
            return _aggregator;
        }
    }

    /// <summary>
    /// Waits for the aggregation of the last committed group (run inline if it has not started yet). After
    /// a failure there the aggregator is half-fed: it is rebuilt from the journal, which holds every
    /// acknowledged event (<paramref name="rebuildOnFailure"/> false: the caller is that rebuild).
    /// </summary>
    private void AwaitAggregation(bool rebuildOnFailure)
    {
        var aggregation = _aggregation;
        if (aggregation.IsCompletedSuccessfully)
        {
            return;
        }
        _aggregation = Task.CompletedTask;
        try
        {
            aggregation.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (rebuildOnFailure)
            {
                Log.AggregationFailed(_logger, e);
                Rebuild();
            }
        }
    }

    /// <summary>Beside the writer: a committed group's events into the windows, inventory, alerts and reject summary.</summary>
    private void Aggregate(GatewayAggregator aggregator, IReadOnlyList<JournalEntry> committed, bool forwardRaw)
    {
        var late = 0L;
        foreach (var entry in committed)
        {
            switch (entry.Outcome.Status)
            {
                case IngestStatus.Accepted:
                    if (aggregator.Add(entry.Validation.Event!, entry.ReceivedAt, entry.Tag, forwardRaw ? Encoding.UTF8.GetString(entry.Raw) : null))
                    {
                        // Older than allowedLatenessSeconds: counted, and aggregated and sent all the same.
                        late++;
                    }
                    break;
                case IngestStatus.Duplicate:
                case IngestStatus.Rejected:
                    aggregator.AddReject(entry.Outcome.Reason!, Sample(entry.Raw), entry.ReceivedAt, entry.Tag);
                    break;
                default:
                    break;
            }
        }
        Interlocked.Add(ref _lateEvents, late);
    }

    /// <summary>
    /// Opens the writer's journal. On a full volume SQLite cannot even create its shared-memory file:
    /// then the reserve is given back and the open tried again, so the gateway starts (drain-only)
    /// instead of failing until someone frees space.
    /// </summary>
    private GatewayJournal OpenJournal()
    {
        var free = _options.FreeSpaceProbe(_options.DataDirectory);
        if (free >= 0 && free < _options.MinFreeDiskBytes)
        {
            // Drain-only until the reserve can be taken again (RefreshDiskState).
            _reserve.Release();
            _diskFull = true;
        }
        try
        {
            // The writer never checkpoints inside a commit (that would hold up the acknowledgements of
            // the group); RunAsync runs checkpoints on a connection of their own.
            return new GatewayJournal(_options.DataDirectory, checkpointOnCommit: false);
        }
        catch (Microsoft.Data.Sqlite.SqliteException) when (_reserve.Release())
        {
            _diskFull = true;
            return new GatewayJournal(_options.DataDirectory, checkpointOnCommit: false);
        }
    }

    /// <summary>
    /// Gives the reserved space back when a write that draining needs (opening the journal, marking a
    /// batch sent) fails on a full volume. Not earlier: space given back while ingest is still refused would only
    /// be taken by whatever else fills the volume, and be missing at the next start.
    /// </summary>
    internal void ReleaseDiskReserve()
    {
        if (_diskFull || _options.FreeSpaceProbe(_options.DataDirectory) < _options.MinFreeDiskBytes)
        {
            _reserve.Release();
        }
    }

    /// <summary>
    /// Keeps twin-delivered state in the journal, except on a full disk: a drain-only gateway must
    /// still take new settings and reference data (the twin is their source and sends them again on
    /// every connect), so they apply in memory and the disk_full state says why they are not kept.
    /// </summary>
    private void PersistUnlessDiskFull(Action persist, string what)
    {
        try
        {
            persist();
        }
        catch (Exception e) when (IsDiskFull(e))
        {
            _diskFull = true;
            Log.NotPersisted(_logger, what);
        }
    }

    private bool IsDiskFull(Exception e)
    {
        if (GatewayJournal.IsDiskFullError(e))
        {
            return true;
        }
        if (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            _diskFreeBytes = _options.FreeSpaceProbe(_options.DataDirectory);
            return _diskFreeBytes >= 0 && _diskFreeBytes < _options.MinFreeDiskBytes;
        }
        return false;
    }

    /// <summary>Asks the free-space probe: disk_full below the minimum, ingest again at twice the minimum.</summary>
    private void RefreshDiskState()
    {
        _diskFreeBytes = _options.FreeSpaceProbe(_options.DataDirectory);
        if (_diskFreeBytes < 0)
        {
            return;
        }
        if (!_diskFull && _diskFreeBytes < _options.MinFreeDiskBytes)
        {
            _diskFull = true;
            Log.DiskFull(_logger, _diskFreeBytes);
        }
        else if (_diskFull && _diskFreeBytes >= 2 * _options.MinFreeDiskBytes + _reserve.Bytes && _reserve.TryTake())
        {
            _diskFull = false;
            _diskFreeBytes = _options.FreeSpaceProbe(_options.DataDirectory);
            Log.DiskSpaceBack(_logger, _diskFreeBytes);
        }
        else if (!_diskFull && !_reserve.IsHeld && _diskFreeBytes >= _options.MinFreeDiskBytes + _reserve.Bytes)
        {
            _reserve.TryTake();
        }
    }

    /// <summary>
    /// A passive checkpoint on the writer's own connection: with no commit in between it copies the last frames and
    /// the next commit starts the WAL over (cut back to its size limit). Busy (the checkpointer is in a pass, or a
    /// reader holds old frames) is fine: the checkpointer asks again after its next pass.
    /// </summary>
    private void CompleteCheckpoint()
    {
        try
        {
            _journal.Checkpoint();
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            Log.CheckpointFailed(_logger, e.Message);
        }
    }

    /// <summary>A turn of retention or the disk budget; a failure (a full disk) is logged and tried again at the next interval.</summary>
    private void TryMaintain(Action maintain)
    {
        try
        {
            maintain();
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            _budgetSweep = null;
            Log.MaintenanceFailed(_logger, e.Message);
        }
    }

    /// <summary>
    /// Takes what is due out of the aggregator (cheap: closed windows move out whole) and queues it for
    /// encoding beside the writer; the returned task completes with the number of batches once they are
    /// stored (0 when nothing was due, after every job queued before). <paramref name="asOf"/>: what was
    /// due at that earlier time (the clock otherwise).
    /// </summary>
    private Task<int> QueueSeal(bool force, DateTimeOffset? asOf = null)
    {
        SealJob? job;
        try
        {
            var alertsDue = Environment.TickCount64 >= _nextAlertSealTick;
            job = Aggregator.Close(asOf is { } at && at < _time.GetUtcNow() ? at : _time.GetUtcNow(), force, alertsDue);
            if (job is { AlertCount: > 0 })
            {
                _nextAlertSealTick = Environment.TickCount64 + (long)_options.AlertInterval.TotalMilliseconds;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.SealFailed(_logger, e);
            Rebuild();
            return _lastStored;
        }
        if (job is null)
        {
            // Nothing due: done once every job queued before is stored.
            return _lastStored.IsCompleted ? NothingSealed : _lastStored.ContinueWith(static _ => 0, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        Log.SealQueued(_logger, job.EventCount, job.AlertCount);
        var sealer = _sealer;
        var gzip = _settings.Compression == GatewaySettings.CompressionGzip;
        var stored = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _sealChain = _sealChain.ContinueWith(_ => Encode(sealer, job, gzip, stored), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        _lastStored = stored.Task;
        return stored.Task;
    }

    /// <summary>On the pool, one job at a time: rows, JSON, gzip; then the writer stores them.</summary>
    private void Encode(Sealer sealer, SealJob job, bool gzip, TaskCompletionSource<int> stored)
    {
        List<OutboxRecord>? records = null;
        Exception? failure = null;
        long nextSeq = 0;
        if (!sealer.Failed)
        {
            try
            {
                var sealedBatches = job.Encode(sealer.NextSeq);
                records = new List<OutboxRecord>(sealedBatches.Count);
                foreach (var sealedBatch in sealedBatches)
                {
                    var body = gzip ? Gzip(sealedBatch.Json) : sealedBatch.Json;
                    records.Add(new OutboxRecord(sealedBatch, gzip ? TelemetryMessage.GzipContentEncoding : TelemetryMessage.JsonContentEncoding, body,
                        TelemetryMessage.BillableBytes(body.Length, sealedBatch.Batch, gzip)));
                }
                sealer.NextSeq += sealedBatches.Count;
                nextSeq = sealer.NextSeq;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Every later job of this sealer would leave a seq gap: they are dropped, and the writer rebuilds.
                sealer.Failed = true;
                failure = e;
            }
        }
        var command = new InvokeCommand<bool>(() => Store(sealer, records, nextSeq, failure, stored));
        if (!_commands.Writer.TryWrite(command))
        {
            stored.TrySetResult(0);
        }
    }

    /// <summary>On the writer: queues an encoded job's batches for storing in steps of at most <see cref="StoreStepBytes"/>.</summary>
    private bool Store(Sealer sealer, List<OutboxRecord>? records, long nextSeq, Exception? encodeFailure, TaskCompletionSource<int> stored)
    {
        if (!ReferenceEquals(sealer, _sealer) || records is null && encodeFailure is null)
        {
            // Queued before a rebuild (or after a failed job of its sealer): the rebuilt state holds its events again.
            stored.TrySetResult(0);
            return false;
        }
        if (encodeFailure is not null)
        {
            Log.SealFailed(_logger, encodeFailure);
            Rebuild();
            stored.TrySetResult(0);
            return false;
        }
        if (records!.Count == 0)
        {
            stored.TrySetResult(0);
            return false;
        }
        var part = new List<OutboxRecord>();
        var bytes = 0;
        foreach (var record in records)
        {
            if (part.Count > 0 && bytes + record.Body.Length > StoreStepBytes)
            {
                _storeSteps.Enqueue(new StoreStep(sealer, part, null, 0, stored));
                part = new List<OutboxRecord>();
                bytes = 0;
            }
            part.Add(record);
            bytes += record.Body.Length;
        }
        // The last step stores the rest with what the job consumed and next_seq, in one transaction.
        _storeSteps.Enqueue(new StoreStep(sealer, part, records, nextSeq, stored));
        return true;
    }

    /// <summary>
    /// Stores one step of the oldest encoded job. Steps before a job's last are invisible until it
    /// commits; the last one inserts the rest, marks what the whole job consumed and moves next_seq.
    /// </summary>
    private void StoreNextStep()
    {
        if (!_storeSteps.TryDequeue(out var step))
        {
            return;
        }
        if (!ReferenceEquals(step.Sealer, _sealer))
        {
            step.Stored.TrySetResult(0);
            return;
        }
        try
        {
            if (step.Job is null)
            {
                _journal.StoreSealedPart(step.Records);
                return;
            }
            _journal.StoreSealed(step.Records, step.Job, step.NextSeq);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The aggregator already moved on; the journal did not. Rebuild from the journal so that
            // nothing is lost and no seq is skipped (the rebuild drops the job's stored steps).
            Log.SealFailed(_logger, e);
            if (IsDiskFull(e))
            {
                _diskFull = true;
            }
            Rebuild();
            step.Stored.TrySetResult(0);
            return;
        }
        _nextSeq = step.NextSeq;
        Log.Sealed(_logger, step.Job.Count, step.Job[^1].Sealed.Batch.Seq);
        _outboxSignal.Release();
        step.Stored.TrySetResult(step.Job.Count);
    }

    /// <summary>
    /// One step of storing a job: <see cref="Records"/> to insert; for the last step, <see cref="Job"/>
    /// (all its records, whose tags are marked) and the next seq after it.
    /// </summary>
    private sealed record StoreStep(Sealer Sealer, List<OutboxRecord> Records, List<OutboxRecord>? Job, long NextSeq, TaskCompletionSource<int> Stored);

    /// <summary>Retention and the disk budget to the end, however long it takes (a full disk, tests, a store that asks).</summary>
    private long Maintain()
    {
        _budgetSweep = null;
        // On a full disk, make room from what is already delivered (sent batches, sealed events,
        // summarised quarantine) as if the budget were zero, but never drop unsent data for it; being
        // over that zero budget says nothing about the configured one, which keeps its last verdict.
        var diskFull = _diskFull;
        var budget = diskFull ? 0 : ConfiguredBudgetBytes;
        var dropOldest = !diskFull && _settings.DropPolicy == GatewaySettings.DropOldest;
        var (dropped, overBudget) = _journal.Maintain(_time.GetUtcNow(), TimeSpan.FromDays(_settings.RetentionDays), budget, dropOldest);
        ApplyBudgetVerdict(dropped, diskFull ? _overBudget : overBudget);
        return dropped;
    }

    /// <summary>
    /// The writer loop's maintenance: retention now, then the budget's deletions in bounded turns
    /// (<see cref="ContinueBudgetSweep"/>). A full disk is done at once, as no event is acknowledged then
    /// and the space is needed back.
    /// </summary>
    private void StartMaintenance()
    {
        if (_diskFull)
        {
            Maintain();
            return;
        }
        _journal.Retain(_time.GetUtcNow(), TimeSpan.FromDays(_settings.RetentionDays));
        _budgetSweep = new BudgetSweep();
        ContinueBudgetSweep();
    }

    /// <summary>
    /// One turn of the budget's deletions. The verdict, which may refuse new events (reject_new), waits for the
    /// end of the sweep; until then the last one holds.
    /// </summary>
    private void ContinueBudgetSweep()
    {
        if (_diskFull)
        {
            Maintain();
            return;
        }
        var sweep = _budgetSweep!;
        var verdict = _journal.EnforceBudget(sweep, ConfiguredBudgetBytes, _settings.DropPolicy == GatewaySettings.DropOldest,
            BudgetTimePerTurn, giveSpaceBack: false);
        if (verdict == BudgetVerdict.Unfinished)
        {
            return;
        }
        _budgetSweep = null;
        ApplyBudgetVerdict(sweep.DroppedBatches, verdict == BudgetVerdict.OverBudget);
    }

    private long ConfiguredBudgetBytes => _options.DiskBudgetBytesOverride ?? _settings.DiskBudgetMb * 1024L * 1024L;

    private void ApplyBudgetVerdict(long dropped, bool overBudget)
    {
        if (dropped > 0 || overBudget)
        {
            Log.Dropped(_logger, dropped, overBudget);
        }
        _overBudget = overBudget;
    }

    private void Rebuild()
    {
        var aggregatorOptions = new AggregatorOptions
        {
            StoreId = _options.StoreId,
            Gateway = _options.GatewayId,
            Module = _options.ModuleId,
            JournalId = _journal.JournalId,
            Settings = _settings,
        };
        // The old aggregator's last group is in the journal: the new one reads it from there.
        AwaitAggregation(rebuildOnFailure: false);
        _nextSeq = _journal.NextSeq;
        foreach (var step in _storeSteps)
        {
            step.Stored.TrySetResult(0);
        }
        _storeSteps.Clear();
        try
        {
            // Steps of a seal that a crash or a failure interrupted: invisible, and sealed again below with the same seqs.
            _journal.DeleteUnfinishedSeal();
        }
        catch (Exception e) when (IsDiskFull(e))
        {
            // They stay invisible; the seal that gives their seqs again replaces them.
            _diskFull = true;
        }
        _aggregator = new GatewayAggregator(aggregatorOptions, _nextSeq, _reference);
        _sealer = new Sealer { NextSeq = _nextSeq };
        _validator = CreateValidator();
        // Parse-only: what was accepted once is accepted again, whatever the clock, reference data or
        // newer shape rules (duplicate keys) say now.
        var parser = new EventValidator(new EventValidationOptions { RejectDuplicateKeys = false });
        long events = 0;
        foreach (var row in _journal.ReadEvents())
        {
            events++;
            var result = parser.Validate(row.Json, FarFuture);
            if (!result.IsValid)
            {
                Log.UnreadableEvent(_logger, row.Tag, result.Reason);
                continue;
            }
            if (row.IsSealed)
            {
                _aggregator.Restore(result.Event!);
            }
            else
            {
                _aggregator.Add(result.Event!, row.ReceivedAt, row.Tag, _settings.ForwardRaw ? Encoding.UTF8.GetString(row.Json) : null, emitAlerts: !row.AlertsSealed);
                _lastEventAt = _lastEventAt is { } last && last > row.ReceivedAt ? last : row.ReceivedAt;
            }
        }
        foreach (var (tag, reason, raw, receivedAt) in _journal.ReadUnsealedRejects())
        {
            _aggregator.AddReject(reason, Sample(raw), receivedAt, tag);
        }
        Log.Recovered(_logger, _journal.Path, events, _nextSeq, _aggregator.OpenWindowCount, _reference?.Version);
    }

    private EventValidator CreateValidator() => new(new EventValidationOptions
    {
        ExpectedStoreId = _options.StoreId,
        FutureTolerance = _options.FutureTolerance,
        KnownItems = _reference?.KnownItems,
    });

    private GatewayStatus BuildStatus()
    {
        var now = _time.GetUtcNow();
        _rate.Enqueue((now, _accepted));
        while (_rate.Count > 1 && now - _rate.Peek().At > TimeSpan.FromMinutes(1))
        {
            _rate.Dequeue();
        }
        var (first, firstAccepted) = _rate.Peek();
        var span = (now - first).TotalMinutes;
        var (unsent, oldest) = _journal.Unsent();
        var lastSent = _journal.GetMeta("last_sent_at") is { } sent && long.TryParse(sent, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : (DateTimeOffset?)null;
        return new GatewayStatus
        {
            StartedAt = _startedAt,
            LastEventAt = _lastEventAt,
            LastSentAt = lastSent,
            BufferedBatches = unsent,
            OldestUnsentAgeSeconds = oldest is { } o ? (long)Math.Max(0, (now - o).TotalSeconds) : 0,
            EventsPerMinute = span > 0.05 ? Math.Round((_accepted - firstAccepted) / span, 1) : 0,
            Accepted = _accepted,
            Rejected = _journal.Counter("rejected"),
            Duplicates = _journal.Counter("duplicates"),
            Dropped = _journal.Counter("dropped"),
            OpenWindows = Aggregator.OpenWindowCount,
            NextSeq = _nextSeq,
            LateEvents = Interlocked.Read(ref _lateEvents),
            JournalBytes = _journal.UsedBytes(),
            OverBudget = _overBudget,
            DiskFull = _diskFull,
            DiskFreeBytes = _diskFreeBytes,
            ReferenceDataVersion = _reference?.Version,
        };
    }

    private static string Sample(byte[] raw)
    {
        var length = Math.Min(raw.Length, RejectSummary.MaxSampleChars * 2);
        var text = Encoding.UTF8.GetString(raw, 0, length);
        return text.Length > RejectSummary.MaxSampleChars ? text[..RejectSummary.MaxSampleChars] : text;
    }

    private static byte[] Gzip(byte[] json)
    {
        using var output = new MemoryStream(json.Length / 4 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(json);
        }
        return output.ToArray();
    }

    /// <summary>The encoding side of one aggregator generation: the seq its next job starts at.</summary>
    private sealed class Sealer
    {
        public long NextSeq { get; set; }

        public bool Failed { get; set; }
    }

    private abstract class Command
    {
        public abstract void Run();

        public abstract void Cancel();
    }

    private sealed class IngestCommand(JournalEntry[] entries) : Command
    {
        public JournalEntry[] Entries { get; } = entries;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run() => throw new InvalidOperationException("ingest commands are committed in groups");

        public override void Cancel() => Completion.TrySetCanceled();
    }

    private sealed class InvokeCommand<T>(Func<T> action) : Command
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run()
        {
            try
            {
                Completion.TrySetResult(action());
            }
            catch (Exception e)
            {
                Completion.TrySetException(e);
            }
        }

        public override void Cancel() => Completion.TrySetCanceled();
    }
}
