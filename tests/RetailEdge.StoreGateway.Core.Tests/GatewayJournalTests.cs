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

    private static OutboxRecord Record(long seq, long[] eventTags)
    {
        var batch = new RetailEdge.Contracts.Telemetry.TelemetryBatch { StoreId = 17, Gateway = "store017-gw", Seq = seq, CreatedAt = DateTimeOffset.UnixEpoch };
        var json = RetailEdge.Contracts.Telemetry.TelemetryBatchCodec.EncodeJson(batch);
        return new OutboxRecord(new RetailEdge.Aggregation.SealedBatch(batch, json, false, eventTags, [], []), "utf-8", json, json.Length);
    }
}
