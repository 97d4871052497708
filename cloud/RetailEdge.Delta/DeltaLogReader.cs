using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>
/// Loads snapshots from a log store: picks the newest usable checkpoint at or below the wanted
/// version (from _last_checkpoint, falling back to listing when it is missing, corrupt or points
/// at files that are not there; incomplete multi-part sets are ignored), then replays the JSON
/// commits after it.
/// </summary>
public sealed class DeltaLogReader
{
    private const string LogPrefix = DeltaLogFile.LogFolder + "/";
    private readonly IDeltaLogStore _store;
    private readonly ICheckpointCodec? _checkpoints;
    private readonly TimeProvider _timeProvider;
    private readonly DeltaLogOptions _options;
    private readonly object _gate = new();
    private DeltaSnapshot? _cached;

    public DeltaLogReader(IDeltaLogStore store, ICheckpointCodec? checkpoints, TimeProvider timeProvider, DeltaLogOptions? options = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _checkpoints = checkpoints;
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = (options ?? DeltaLogOptions.Default).Validate();
    }

    public IDeltaLogStore Store => _store;

    /// <summary>The classified entries of `_delta_log` (other files dropped).</summary>
    public async Task<IReadOnlyList<DeltaLogFile>> ListLogAsync(CancellationToken cancellationToken)
    {
        var entries = await _store.ListAsync(LogPrefix, cancellationToken).ConfigureAwait(false);
        var files = new List<DeltaLogFile>();
        foreach (var entry in entries)
        {
            var name = entry.Path[LogPrefix.Length..];
            if (name.Contains('/', StringComparison.Ordinal))
            {
                continue; // _sidecars/, _change_data/ …
            }
            var file = DeltaLogFile.Classify(name);
            if (file.Kind != DeltaLogFileKind.Other)
            {
                files.Add(file);
            }
        }
        return files;
    }

    /// <summary>The newest committed version, or null when the table has no commits.</summary>
    public async Task<long?> LatestVersionAsync(CancellationToken cancellationToken)
    {
        var files = await ListLogAsync(cancellationToken).ConfigureAwait(false);
        return LatestVersion(files);
    }

    /// <summary>Loads the snapshot at <paramref name="version"/> (null = latest).</summary>
    public async Task<DeltaSnapshot> LoadAsync(long? version, CancellationToken cancellationToken)
    {
        var files = await ListLogAsync(cancellationToken).ConfigureAwait(false);
        var latest = LatestVersion(files)
            ?? throw new DeltaException($"no Delta log at {_store.Location}: not a Delta table (no {LogPrefix} commits or checkpoints)");
        var target = version ?? latest;
        if (target < 0 || target > latest)
        {
            throw new DeltaException($"version {target} does not exist at {_store.Location} (latest is {latest})");
        }
        var commits = files.Where(f => f.Kind == DeltaLogFileKind.Commit && f.Version <= target)
            .Select(f => f.Version).ToHashSet();
        DeltaSnapshot? cached;
        lock (_gate)
        {
            cached = _cached;
        }
        // the newest snapshot this reader built is a free checkpoint: replay only what came after it
        if (cached is not null && cached.Version <= target && HasCommitsFrom(commits, cached.Version + 1, target))
        {
            var incremental = DeltaSnapshotBuilder.From(cached, _store.LocalRoot ?? _store.Location);
            return Remember(await ReplayAsync(incremental, cached.Version + 1, target, commits, cancellationToken).ConfigureAwait(false));
        }
        var candidates = await CheckpointCandidatesAsync(files, target, cancellationToken).ConfigureAwait(false);
        foreach (var (checkpointVersion, parts) in candidates)
        {
            IReadOnlyList<DeltaAction> actions;
            try
            {
                actions = await _checkpoints!.ReadAsync(_store, parts, cancellationToken).ConfigureAwait(false);
            }
            catch (DeltaException) when (HasCommitsFrom(commits, 0, checkpointVersion))
            {
                // a damaged checkpoint is not fatal while the commits it summarises still exist
                continue;
            }
            var builder = new DeltaSnapshotBuilder(_store.LocalRoot ?? _store.Location);
            builder.ApplyCheckpoint(checkpointVersion, actions);
            return Remember(await ReplayAsync(builder, checkpointVersion + 1, target, commits, cancellationToken).ConfigureAwait(false));
        }
        return Remember(await ReplayAsync(new DeltaSnapshotBuilder(_store.LocalRoot ?? _store.Location), 0, target, commits, cancellationToken).ConfigureAwait(false));
    }

    private DeltaSnapshot Remember(DeltaSnapshot snapshot)
    {
        lock (_gate)
        {
            if (_cached is null || snapshot.Version >= _cached.Version)
            {
                _cached = snapshot;
            }
        }
        return snapshot;
    }

    /// <summary>The actions of one commit file; throws when it is missing.</summary>
    public async Task<IReadOnlyList<DeltaAction>> ReadCommitAsync(long version, CancellationToken cancellationToken)
    {
        var path = LogPrefix + DeltaLogFile.CommitName(version);
        var bytes = await _store.ReadAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new DeltaException($"commit {version} is missing at {_store.Location}");
        return DeltaLogCodec.ParseCommit(bytes, path);
    }

    /// <summary>commitInfo of every commit still in the log, newest first.</summary>
    public async Task<IReadOnlyList<(long Version, CommitInfoAction? Info)>> HistoryAsync(int? limit, CancellationToken cancellationToken)
    {
        var files = await ListLogAsync(cancellationToken).ConfigureAwait(false);
        var versions = files.Where(f => f.Kind == DeltaLogFileKind.Commit).Select(f => f.Version)
            .OrderDescending().Take(limit ?? int.MaxValue).ToList();
        var history = new List<(long, CommitInfoAction?)>();
        foreach (var v in versions)
        {
            var actions = await ReadCommitAsync(v, cancellationToken).ConfigureAwait(false);
            history.Add((v, actions.OfType<CommitInfoAction>().FirstOrDefault()));
        }
        return history;
    }

    private static long? LatestVersion(IReadOnlyList<DeltaLogFile> files)
    {
        long? latest = null;
        foreach (var file in files)
        {
            if (file.Kind is DeltaLogFileKind.Commit or DeltaLogFileKind.Checkpoint or DeltaLogFileKind.CheckpointPart
                && (latest is null || file.Version > latest))
            {
                latest = file.Version;
            }
        }
        return latest;
    }

    private static bool HasCommitsFrom(HashSet<long> commits, long from, long to)
    {
        for (var v = from; v <= to; v++)
        {
            if (!commits.Contains(v))
            {
                return false;
            }
        }
        return true;
    }

    private async Task<DeltaSnapshot> ReplayAsync(DeltaSnapshotBuilder builder, long from, long target, HashSet<long> commits, CancellationToken cancellationToken)
    {
        for (var v = from; v <= target; v++)
        {
            if (!commits.Contains(v))
            {
                throw new DeltaException(from == 0 && builder.Version < 0 && v == 0
                    ? $"versions not contiguous at {_store.Location}: commit 0 is missing and no checkpoint covers it"
                    : $"versions not contiguous at {_store.Location}: commit {v} is missing");
            }
            var actions = await ReadCommitAsync(v, cancellationToken).ConfigureAwait(false);
            builder.ApplyCommit(v, actions);
        }
        var cutoff = _timeProvider.GetUtcNow() - _options.DeletedFileRetention;
        return builder.Build(cutoff.ToUnixTimeMilliseconds());
    }

    /// <summary>Complete checkpoints at or below the target, best first: the _last_checkpoint hint, then newest listed.</summary>
    private async Task<List<(long Version, IReadOnlyList<string> Parts)>> CheckpointCandidatesAsync(
        IReadOnlyList<DeltaLogFile> files, long target, CancellationToken cancellationToken)
    {
        var result = new List<(long, IReadOnlyList<string>)>();
        if (_checkpoints is null)
        {
            return result;
        }
        var complete = new SortedDictionary<long, IReadOnlyList<string>>(Comparer<long>.Create((a, b) => b.CompareTo(a)));
        foreach (var single in files.Where(f => f.Kind == DeltaLogFileKind.Checkpoint && f.Version <= target))
        {
            complete[single.Version] = [LogPrefix + single.Name];
        }
        foreach (var group in files.Where(f => f.Kind == DeltaLogFileKind.CheckpointPart && f.Version <= target)
                     .GroupBy(f => (f.Version, f.Parts)))
        {
            var parts = group.Select(f => f.Part).Distinct().Count();
            // an incomplete multi-part set was interrupted mid-write: never use it
            if (parts == group.Key.Parts && !complete.ContainsKey(group.Key.Version))
            {
                complete[group.Key.Version] = [.. group.OrderBy(f => f.Part).Select(f => LogPrefix + f.Name)];
            }
        }
        if (files.Any(f => f.Kind == DeltaLogFileKind.LastCheckpoint))
        {
            var bytes = await _store.ReadAsync(LogPrefix + DeltaLogFile.LastCheckpointName, cancellationToken).ConfigureAwait(false);
            var hint = bytes is null ? null : LastCheckpoint.TryParse(bytes);
            if (hint is { IsV2: false } && hint.Version <= target && complete.TryGetValue(hint.Version, out var hinted))
            {
                result.Add((hint.Version, hinted));
            }
        }
        foreach (var (v, parts) in complete)
        {
            if (result.Count == 0 || result[0].Item1 != v)
            {
                result.Add((v, parts));
            }
        }
        return result;
    }
}
