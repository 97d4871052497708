using System.Text;
using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// Deduplication by batch identity (device, module, journal, seq) and content: a resend is a
/// duplicate, the same key with other content is a seq_conflict, a new journal is new data, and
/// JSON that repeats a key is ambiguous. Bodies are written as the wire JSON (the journal id set
/// in the JSON itself), the way a gateway sends them.
/// </summary>
public sealed class RefinerTests
{
    private static readonly DateTimeOffset Enqueued = new(2026, 11, 20, 8, 1, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunUntilIdle_KnownSeqWithDifferentContent_QuarantinesSeqConflictInsteadOfDropping()
    {
        using var temp = new TempDirectory("refine-conflict");
        WriteRouted(temp, "hub/00/2026/11/20/08/01.json", Line(Batch(1, qty: 3), journal: null), Line(Batch(2, qty: 1), journal: null));
        // seq 1 again: once as a true resend, once with other figures (a re-imaged gateway without journal ids)
        WriteRouted(temp, "hub/00/2026/11/20/09/01.json", Line(Batch(1, qty: 3), journal: null), Line(Batch(1, qty: 7), journal: null));
        using var lake = await RefineAsync(temp);

        using var connection = await ViewsAsync(lake);
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine WHERE reason = 'seq_conflict' AND seq = 1 AND device_id = 'store005-gw' AND source_file = 'hub/00/2026/11/20/09/01.json' AND raw IS NOT NULL"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine"));
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM batches"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM items WHERE seq = 1 AND qty = 3"));
        Assert.Equal(0, LakeAssertions.Count(connection, "SELECT * FROM items WHERE qty = 7"));
    }

    [Fact]
    public async Task RunUntilIdle_ReimagedJournalRestartsAtSeqOne_LandsItsTelemetry()
    {
        using var temp = new TempDirectory("refine-reset");
        WriteRouted(temp, "hub/00/2026/11/20/08/01.json",
            Line(Batch(1, qty: 1), "journal-old"), Line(Batch(2, qty: 2), "journal-old"), Line(Batch(3, qty: 3), "journal-old"));
        // the journal volume was lost: a new journal, seq restarting at 1, other figures
        WriteRouted(temp, "hub/00/2026/11/20/09/01.json",
            Line(Batch(1, qty: 11), "journal-new"), Line(Batch(2, qty: 12), "journal-new"), Line(Batch(2, qty: 12), "journal-new"));
        using var lake = await RefineAsync(temp);

        using var connection = await ViewsAsync(lake);
        Assert.Equal(5, LakeAssertions.Count(connection, "SELECT * FROM items"));
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM items WHERE qty IN (11, 12)"));
        Assert.Equal(0, LakeAssertions.Count(connection, "SELECT * FROM quarantine"));
        Assert.Equal(5, LakeAssertions.Count(connection, "SELECT * FROM batches"));
    }

    [Fact]
    public async Task RunUntilIdle_NewJournalAfterOld_GapsCountedPerJournalAndHashesKept()
    {
        using var temp = new TempDirectory("refine-gaps");
        WriteRouted(temp, "hub/00/2026/11/20/08/01.json", Line(Batch(5, qty: 1), "journal-a"), Line(Batch(1, qty: 2), "journal-b"), Line(Batch(3, qty: 2), "journal-b"));
        using var lake = await RefineAsync(temp);

        using var connection = await ViewsAsync(lake);
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM batches WHERE journal_id = 'journal-b' AND seq = 1 AND gap_before = 0"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM batches WHERE journal_id = 'journal-b' AND seq = 3 AND gap_before = 1"));
        Assert.Equal(3, LakeAssertions.Count(connection, "SELECT * FROM batches WHERE length(content_hash) = 64"));
    }

    [Fact]
    public async Task RunUntilIdle_DuplicateSeqOrBodyKeys_QuarantinedAsAmbiguous()
    {
        using var temp = new TempDirectory("refine-dupkeys");
        var body = Encoding.UTF8.GetString(Body(Batch(1, qty: 3), null));
        // a batch with two seq members: read last-key-wins it would be seq 9
        var twoSeqs = Encoding.UTF8.GetBytes(body.Replace("\"seq\":1,", "\"seq\":1,\"seq\":9,", StringComparison.Ordinal));
        Assert.NotEqual(body, Encoding.UTF8.GetString(twoSeqs));
        var twoSeqsLine = RoutedRecordWriter.Format("store005-gw", "StoreGateway", Enqueued, new Dictionary<string, string>(), "m-seq",
            TelemetryMessage.GzipContentType, "base64", twoSeqs);
        // a routed record with two Body members
        var good = Encoding.UTF8.GetString(Line(Batch(2, qty: 3), null)).TrimEnd('\n');
        var twoBodies = Encoding.UTF8.GetBytes(good[..^1] + ",\"Body\":" + Encoding.UTF8.GetString(Body(Batch(2, qty: 99), null)) + "}\n");
        WriteRouted(temp, "hub/00/2026/11/20/08/01.json", twoSeqsLine, twoBodies, Line(Batch(3, qty: 3), null));
        using var lake = await RefineAsync(temp);

        using var connection = await ViewsAsync(lake);
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine WHERE reason = 'duplicate_key' AND message_id = 'm-seq'"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine WHERE reason = 'duplicate_key' AND source_line = 2 AND raw IS NOT NULL"));
        Assert.Equal(["3"], Seqs(connection));
    }

    [Fact]
    public async Task WithQuarantineCounts_SeqConflict_VisibleInStoreHealthRow()
    {
        using var temp = new TempDirectory("refine-health");
        WriteRouted(temp, "hub/00/2026/11/20/08/01.json", Line(Batch(1, qty: 3), "j1"), Line(Batch(1, qty: 4), "j1"), Line(Batch(1, qty: 4), "j2"));
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        var cycle = await new LakehousePipeline(lake, new FolderTelemetrySource(temp.Combine("routed")), NullLoggerFactory.Instance).RunCycleAsync(CancellationToken.None);
        var observed = new StoreHealthRow("store005-gw", "StoreGateway", 5, "running", "1", null, null, 0, 0, 0, 0, null, null, null, Enqueued, false);
        var other = observed with { DeviceId = "store006-gw" };

        using var connection = lake.Connect();
        var rows = await StoreHealthMonitor.WithQuarantineCountsAsync(lake, connection, [observed, other], CancellationToken.None);

        Assert.Equal(1, cycle.Refine.QuarantineByReason.GetValueOrDefault("seq_conflict"));
        Assert.Equal(1, rows[0].SeqConflicts);
        Assert.Equal(1, rows[0].Quarantined);
        Assert.Equal(0, rows[1].SeqConflicts);
    }

    /// <summary>Lands and refines the routed folder of <paramref name="temp"/> into its lake until idle.</summary>
    private static async Task<LakeContext> RefineAsync(TempDirectory temp)
    {
        var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        await new LakehousePipeline(lake, new FolderTelemetrySource(temp.Combine("routed")), NullLoggerFactory.Instance).RunUntilIdleAsync(CancellationToken.None);
        return lake;
    }

    /// <summary>A connection with the views quarantine, items and batches over the lake's silver tables.</summary>
    private static async Task<DuckDBConnection> ViewsAsync(LakeContext lake)
    {
        var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Quarantine, "quarantine");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.ItemWindow, "items");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Batch, "batches");
        return connection;
    }

    private static List<string> Seqs(DuckDBConnection connection)
    {
        var seqs = new List<string>();
        using var result = connection.Query("SELECT CAST(seq AS VARCHAR) FROM batches ORDER BY seq");
        while (result.Read())
        {
            seqs.Add(result.GetString(0));
        }
        return seqs;
    }

    private static TelemetryBatch Batch(long seq, decimal qty) => new()
    {
        StoreId = 5,
        Gateway = "store005-gw",
        Seq = seq,
        CreatedAt = new DateTimeOffset(2026, 11, 20, 9, 1, 0, TimeSpan.FromHours(1)),
        Items = [new ItemWindowRow(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.FromHours(1)), 1001, "sale", "store", 1, qty, qty * 2, 0)],
    };

    /// <summary>The batch's wire JSON with the journal id as a gateway writes it (no journalId member when null).</summary>
    private static byte[] Body(TelemetryBatch batch, string? journal)
    {
        var node = JsonNode.Parse(TelemetryBatchCodec.EncodeJson(batch))!.AsObject();
        if (journal is not null)
        {
            node["journalId"] = journal;
        }
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static byte[] Line(TelemetryBatch batch, string? journal) =>
        RoutedRecordWriter.Format(batch.Gateway, batch.Module, Enqueued, TelemetryMessage.ApplicationProperties(batch),
            TelemetryMessage.MessageId(batch.Gateway, batch.Seq), TelemetryMessage.JsonContentType, TelemetryMessage.JsonContentEncoding, Body(batch, journal));

    private static void WriteRouted(TempDirectory temp, string name, params byte[][] lines)
    {
        var path = temp.Combine("routed", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [.. lines.SelectMany(l => l)]);
    }
}
