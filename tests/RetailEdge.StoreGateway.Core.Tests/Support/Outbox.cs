using RetailEdge.Contracts.Telemetry;
using RetailEdge.StoreGateway.Core;

namespace RetailEdge.StoreGateway.Testing;

internal static class Outbox
{
    /// <summary>Decodes every batch stored in the journal's outbox (sent or not), in seq order.</summary>
    public static List<TelemetryBatch> Read(string dataDirectory)
    {
        using var journal = new GatewayJournal(dataDirectory);
        return journal.ReadOutbox().Select(Decode).ToList();
    }

    public static TelemetryBatch Decode(OutboxMessageRow row)
    {
        var result = TelemetryBatchCodec.Decode(row.Body, row.ContentEncoding);
        Assert.True(result.IsValid, $"batch {row.Seq}: {result.Reason} {result.Detail}");
        return result.Batch!;
    }

    public static TelemetryBatch Decode(HubMessage message)
    {
        var result = TelemetryBatchCodec.Decode(message.Body.Span, message.ContentEncoding);
        Assert.True(result.IsValid, $"message {message.MessageId}: {result.Reason} {result.Detail}");
        return result.Batch!;
    }
}
