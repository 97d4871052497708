namespace RetailEdge.StoreGateway.Core;

/// <summary>A stored batch as the uplink sends it.</summary>
public sealed record OutboxMessageRow(long Seq, bool IsAlert, string ContentEncoding, byte[] Body, DateTimeOffset CreatedAt, int BillableBytes);
