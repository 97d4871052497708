using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;
using RetailEdge.StoreGateway.Core;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Core.Tests;

public sealed class GatewayJournalTests
{
    [Fact]
    public void Open_ExistingJournalOnAFullVolume_FurtherConnectionsOpenWithoutWriting()
    {
        using var volume = new SmallFileSystem(4 * 1024 * 1024);
        var data = volume.Combine("data");
        // The engine's writer is open (on a full disk it opens after releasing its reserve); then the
        // last bytes go, and the checkpointer's and the uplink's connections open on the full volume.
        using var writer = new GatewayJournal(data, checkpointOnCommit: false);
        writer.SetMeta("next_seq", "42");
        volume.Fill();
        Assert.True(volume.FreeBytes < 64 * 1024, $"{volume.FreeBytes} bytes still free");

        using var checkpointer = new GatewayJournal(data, checkpointOnCommit: false);
        using var uplink = new GatewayJournal(data);

        Assert.Equal(writer.JournalId, checkpointer.JournalId);
        Assert.Equal(writer.JournalId, uplink.JournalId);
        Assert.Equal(42, uplink.NextSeq);
    }

    [Fact]
    public void StoreSealedPart_InvisibleUntilTheSealsLastStep_AndDeletedWhenTheSealWasInterrupted()
    {
        using var directory = new TempDirectory("journal-steps");
        using var journal = new GatewayJournal(directory.Path);
        var seal = Enumerable.Range(1, 4).Select(seq => Record(seq, eventTags: seq == 1 ? [1, 2, 3] : [])).ToList();

        journal.StoreSealedPart(seal[..2]);

        Assert.Null(journal.NextUnsent());
        Assert.Empty(journal.ReadOutbox());
        Assert.Equal(0, journal.Unsent().Count);
        // A crash here: the restart deletes the steps, and the seal is made again with the same seqs.
        Assert.Equal(2, journal.DeleteUnfinishedSeal());
        journal.StoreSealedPart(seal[..2]);
        journal.StoreSealed(seal[2..], seal, nextSeq: 5);

        Assert.Equal([1L, 2L, 3L, 4L], journal.ReadOutbox().Select(r => r.Seq));
        Assert.Equal(1, journal.NextUnsent()!.Seq);
        Assert.Equal(0, journal.DeleteUnfinishedSeal());
        Assert.Equal(5, journal.NextSeq);
    }

    [Fact]
    public void MarkSent_ManySeqs_OneTransactionAndTheLastSentTime()
    {
        using var directory = new TempDirectory("journal-marks");
        using var journal = new GatewayJournal(directory.Path);
        journal.StoreSealed(Enumerable.Range(1, 3).Select(seq => Record(seq, [])).ToList(), nextSeq: 4);

        journal.MarkSent([1L, 3L], DateTimeOffset.FromUnixTimeMilliseconds(1_000));

        Assert.Equal(2, journal.NextUnsent()!.Seq);
        Assert.Equal("1000", journal.GetMeta("last_sent_at"));
    }

    private const long OneMegabyte = 1024 * 1024;

    [Fact]
    public void EnforceBudget_NoTimePerCall_OneStepACallGoingOnWhereItStoppedUntilWithinBudget()
    {
        using var directory = new TempDirectory("journal-budget-turns");
        using var journal = JournalOfBatches(directory.Path, sent: true);
        Assert.True(journal.UsedBytes() > 3 * OneMegabyte, $"{journal.UsedBytes()} bytes");
        var sweep = new BudgetSweep();

        var (verdict, calls) = SweepInTurns(journal, sweep, dropOldest: false, maxCalls: 100);

        Assert.Equal(BudgetVerdict.WithinBudget, verdict);
        // Between group commits a step is 16 sent batches: ≈ 48 steps for 3 MB over, each in its own call.
        Assert.True(calls >= 40, $"{calls} calls: the steps were not bounded");
        Assert.True(journal.UsedBytes() <= OneMegabyte, $"{journal.UsedBytes()} > {OneMegabyte}");
        Assert.Equal(0, sweep.DroppedBatches);
        // Only what was needed went, oldest first: the newest sent batches are kept.
        Assert.Contains(journal.ReadOutbox(), r => r.Seq == 1_000);
        Assert.DoesNotContain(journal.ReadOutbox(), r => r.Seq == 1);
    }

    [Fact]
    public void EnforceBudget_OverBudgetWithNothingDeliveredToDelete_EndsOverBudgetInsteadOfStayingUnfinished()
    {
        using var directory = new TempDirectory("journal-budget-unsent");
        using var journal = JournalOfBatches(directory.Path, sent: false);
        var sweep = new BudgetSweep();

        // Every step deletes nothing (no sent batch, no sealed event, no summarised quarantine): the sweep
        // passes them one per call and then gives its verdict, rather than starting over at every turn.
        var verdicts = new List<BudgetVerdict>();
        do
        {
            Assert.True(verdicts.Count < 10, string.Join(", ", verdicts));
            verdicts.Add(journal.EnforceBudget(sweep, OneMegabyte, dropOldest: false, timeLimit: TimeSpan.Zero, giveSpaceBack: false));
        }
        while (verdicts[^1] == BudgetVerdict.Unfinished);

        Assert.Equal(BudgetVerdict.OverBudget, verdicts[^1]);
        Assert.Equal(1_000, journal.Unsent().Count);
        Assert.Equal(0, sweep.DroppedBatches);

        // drop_oldest: the same sweep goes on to the oldest unsent batches, 20 a step, each counted.
        do
        {
            Assert.True(verdicts.Count < 200, "drop_oldest never finished");
            verdicts.Add(journal.EnforceBudget(sweep, OneMegabyte, dropOldest: true, timeLimit: TimeSpan.Zero, giveSpaceBack: false));
        }
        while (verdicts[^1] == BudgetVerdict.Unfinished);

        Assert.Equal(BudgetVerdict.WithinBudget, verdicts[^1]);
        Assert.True(sweep.DroppedBatches >= 700, $"{sweep.DroppedBatches} dropped");
        Assert.Equal(1_000 - sweep.DroppedBatches, journal.Unsent().Count);
        Assert.Equal(1_000, journal.ReadOutbox().Max(r => r.Seq));
    }

    [Fact]
    public void EnforceBudget_BatchesAcknowledgedAfterTheirStepWasPassed_DeletedInsteadOfDroppingOrEndingOverBudget()
    {
        using var directory = new TempDirectory("journal-budget-late-acks");
        using var journal = JournalOfBatches(directory.Path, sent: false);
        var sweep = new BudgetSweep();

        // The first turn finds no sent batch and passes that step; then the hub acknowledges every batch.
        Assert.Equal(BudgetVerdict.Unfinished, journal.EnforceBudget(sweep, OneMegabyte, dropOldest: true, timeLimit: TimeSpan.Zero, giveSpaceBack: false));
        journal.MarkSent(journal.ReadOutbox().Select(r => r.Seq).ToList(), DateTimeOffset.FromUnixTimeMilliseconds(5_000));

        var (verdict, _) = SweepInTurns(journal, sweep, dropOldest: true, maxCalls: 200);

        Assert.Equal(BudgetVerdict.WithinBudget, verdict);
        Assert.Equal(0, sweep.DroppedBatches);
        Assert.True(journal.UsedBytes() <= OneMegabyte, $"{journal.UsedBytes()} > {OneMegabyte}");
        Assert.Contains(journal.ReadOutbox(), r => r.Seq == 1_000);
    }

    [Fact]
    public void EnforceBudget_FreedPages_StayInTheFileForNextInsertsUnlessTheSpaceIsToBeGivenBack()
    {
        using var directory = new TempDirectory("journal-budget-space");
        using var journal = JournalOfBatches(directory.Path, sent: true);
        var pagesBefore = PageCount(directory.Path);

        Assert.Equal(BudgetVerdict.WithinBudget, journal.EnforceBudget(new BudgetSweep(), OneMegabyte, dropOldest: false, timeLimit: null, giveSpaceBack: false));
        Assert.Equal(pagesBefore, PageCount(directory.Path));

        Assert.Equal(BudgetVerdict.WithinBudget, journal.EnforceBudget(new BudgetSweep(), OneMegabyte, dropOldest: false, timeLimit: null, giveSpaceBack: true));
        var pagesAfter = PageCount(directory.Path);
        Assert.True(pagesAfter < pagesBefore / 3, $"{pagesAfter} of {pagesBefore} pages left");
    }

    [Fact]
    public void Append_SameIdAfterReopeningAndAfterRetention_DuplicateWhileJournaledAcceptedOnceDeleted()
    {
        using var directory = new TempDirectory("journal-ids");
        var day1 = DateTimeOffset.Parse("2026-11-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        using (var journal = new GatewayJournal(directory.Path))
        {
            var first = Entries(day1, "b-1", "b-2", "b-1");
            journal.Append(first, rejectNew: false);
            Assert.Equal([IngestStatus.Accepted, IngestStatus.Accepted, IngestStatus.Duplicate], first.Select(e => e.Outcome!.Status));
        }

        // A restart: the lookup is rebuilt from the journal.
        using (var journal = new GatewayJournal(directory.Path))
        {
            var again = Entries(day1.AddHours(1), "b-2", "b-3");
            journal.Append(again, rejectNew: false);
            Assert.Equal([IngestStatus.Duplicate, IngestStatus.Accepted], again.Select(e => e.Outcome!.Status));
            Assert.Equal(3, journal.EventIds.Events);

            // Sealed and past retention, the events are gone: their ids are new again, as with the unique index before.
            journal.StoreSealed([Record(1, [1, 2, 3])], nextSeq: 2);
            journal.Retain(day1.AddDays(8), TimeSpan.FromDays(7));
            Assert.Equal(0, journal.CountEvents());
            Assert.Equal(0, journal.EventIds.Events);
            var later = Entries(day1.AddDays(8), "b-1");
            journal.Append(later, rejectNew: false);
            Assert.Equal(IngestStatus.Accepted, later[0].Outcome!.Status);
        }
    }

    [Fact]
    public void Open_JournalWithTheOldUniqueIdIndex_HashesAddedOnceAndItsEventsStillDuplicates()
    {
        using var directory = new TempDirectory("journal-legacy-ids");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory.Path, GatewayJournal.FileName)};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The events table as journals before the in-memory lookup made it.
            command.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE events(tag INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, received_at INTEGER NOT NULL,
                  source TEXT NOT NULL, json BLOB NOT NULL, sealed_seq INTEGER, alerts_sealed INTEGER NOT NULL DEFAULT 0);
                INSERT INTO events(tag, id, ts, received_at, source, json) VALUES (1, 'old-1', 0, 0, 'test', x'7b7d'), (2, 'old-2', 0, 0, 'test', x'7b7d');
                """;
            command.ExecuteNonQuery();
        }

        using (var journal = new GatewayJournal(directory.Path))
        {
            var entries = Entries(DateTimeOffset.UnixEpoch.AddDays(1), "old-2", "new-1", "old-1");
            journal.Append(entries, rejectNew: false);
            Assert.Equal([IngestStatus.Duplicate, IngestStatus.Accepted, IngestStatus.Duplicate], entries.Select(e => e.Outcome!.Status));
        }
        using (var journal = new GatewayJournal(directory.Path))
        {
            Assert.Equal(3, journal.EventIds.Events);
        }
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory.Path, GatewayJournal.FileName)};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM events WHERE id_hash IS NULL OR id_hash != CASE id WHEN 'old-1' THEN $h1 WHEN 'old-2' THEN $h2 ELSE id_hash END";
            command.Parameters.AddWithValue("$h1", EventIdIndex.HashOf("old-1"));
            command.Parameters.AddWithValue("$h2", EventIdIndex.HashOf("old-2"));
            Assert.Equal(0L, command.ExecuteScalar());
        }
    }

    /// <summary>Calls the sweep one step a call (as between group commits) until it gives its verdict.</summary>
    private static (BudgetVerdict Verdict, int Calls) SweepInTurns(GatewayJournal journal, BudgetSweep sweep, bool dropOldest, int maxCalls)
    {
        var calls = 0;
        BudgetVerdict verdict;
        do
        {
            Assert.True(++calls < maxCalls, "the sweep never finished");
            verdict = journal.EnforceBudget(sweep, OneMegabyte, dropOldest, timeLimit: TimeSpan.Zero, giveSpaceBack: false);
        }
        while (verdict == BudgetVerdict.Unfinished);
        return (verdict, calls);
    }

    private static List<JournalEntry> Entries(DateTimeOffset at, params string[] ids) =>
        [.. ids.Select(id =>
        {
            var basket = new BasketEvent { Id = id, StoreId = 17, Ts = at, LaneId = "L1", Channel = Channels.Store, Lines = [new BasketLine(1, 1m, 2m)] };
            return new JournalEntry(StoreEventJson.Serialize(basket), ValidationResult.Valid(basket), at, "test");
        })];

    private static long PageCount(string directory)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory, GatewayJournal.FileName)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A journal of 1,000 sealed batches of 4 KB each (≈ 4 MB), sent or not.</summary>
    private static GatewayJournal JournalOfBatches(string path, bool sent)
    {
        var journal = new GatewayJournal(path);
        var body = new byte[4096];
        new Random(13).NextBytes(body);
        journal.StoreSealed(Enumerable.Range(1, 1_000).Select(seq => Record(seq, [], body)).ToList(), nextSeq: 1_001);
        if (sent)
        {
            journal.MarkSent([.. Enumerable.Range(1, 1_000).Select(seq => (long)seq)], DateTimeOffset.UnixEpoch);
        }
        return journal;
    }

    private static OutboxRecord Record(long seq, long[] eventTags, byte[]? body = null)
    {
        var batch = new RetailEdge.Contracts.Telemetry.TelemetryBatch { StoreId = 17, Gateway = "store017-gw", Seq = seq, CreatedAt = DateTimeOffset.UnixEpoch };
        var json = RetailEdge.Contracts.Telemetry.TelemetryBatchCodec.EncodeJson(batch);
        return new OutboxRecord(new RetailEdge.Aggregation.SealedBatch(batch, json, false, eventTags, [], []), "utf-8", body ?? json, (body ?? json).Length);
    }
}
