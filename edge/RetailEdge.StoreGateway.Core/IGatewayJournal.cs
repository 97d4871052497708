namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// What the engine, the uplink and the checkpointer need from the gateway's journal (ARCHITECTURE.md §6):
/// events with unique ids, quarantine, the outbox of sealed batches with their seq, settings, reference
/// data and counters. Every write returns only once it is durable through a power cut: an
/// acknowledgement is given after <see cref="Append"/> returns. One instance per thread: the engine's
/// writer, the uplink and the checkpointer each open their own (<see cref="GatewayJournals.Open"/>).
/// </summary>
public interface IGatewayJournal : IDisposable
{
    /// <summary>The journal's main file.</summary>
    string Path { get; }

    /// <summary>This journal's identity, made once when it is created (batch seqs count within it).</summary>
    string JournalId { get; }

    long NextSeq { get; }

    /// <summary>Moves committed changes from the write-ahead log into the main file without blocking the writer; returns what is still to move (0: nothing).</summary>
    long Checkpoint();

    /// <summary>
    /// Journals a group of events in one transaction (group commit). Valid events are inserted unless
    /// their id exists (duplicate → quarantine with reason duplicate); invalid ones go to quarantine.
    /// Fills <see cref="JournalEntry.Tag"/> and <see cref="JournalEntry.Outcome"/>.
    /// </summary>
    void Append(IReadOnlyList<JournalEntry> entries, bool rejectNew);

    /// <summary>Stores the batches of one seal and marks what they consumed, in one transaction.</summary>
    void StoreSealed(IReadOnlyList<OutboxRecord> records, long nextSeq);

    long Counter(string name);

    string? GetMeta(string key);

    void SetMeta(string key, string value);

    void SaveReferenceData(string version, byte[] payload);

    (string Version, byte[] Payload)? LoadReferenceData();

    /// <summary>Every journaled event in ingest order, for rebuilding state after a restart.</summary>
    IEnumerable<JournaledEvent> ReadEvents();

    /// <summary>Quarantined events not yet summarised in a sealed batch.</summary>
    IEnumerable<(long Tag, string Reason, byte[] Raw, DateTimeOffset ReceivedAt)> ReadUnsealedRejects();

    /// <summary>Quarantine rows (reason, event id, sample, size, hash) — for status, tests and support.</summary>
    IReadOnlyList<QuarantinedEvent> ReadQuarantine();

    long CountEvents();

    /// <summary>Bytes in use: what the disk budget limits.</summary>
    long UsedBytes();

    /// <summary>
    /// Enforces retention and the disk budget; returns the unsent batches dropped and whether the
    /// journal is still over budget.
    /// </summary>
    (long DroppedBatches, bool OverBudget) Maintain(DateTimeOffset now, TimeSpan retention, long budgetBytes, bool dropOldest);

    /// <summary>Marks sealed batches in [from, to] unsent again; returns how many are still kept.</summary>
    int MarkForReplay(long from, long to);

    /// <summary>The next batch to send: alerts first, then oldest seq first; <paramref name="skip"/>: batches sent but not yet marked.</summary>
    OutboxMessageRow? NextUnsent(IReadOnlySet<long>? skip = null);

    void MarkSent(long seq, DateTimeOffset at);

    /// <summary>Marks several acknowledged batches sent in one transaction.</summary>
    void MarkSent(IReadOnlyCollection<long> seqs, DateTimeOffset at);

    (long Count, DateTimeOffset? Oldest) Unsent();

    /// <summary>All stored batches in seq order — for tests, replay tooling and support.</summary>
    IReadOnlyList<OutboxMessageRow> ReadOutbox();
}
