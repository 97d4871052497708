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
}
