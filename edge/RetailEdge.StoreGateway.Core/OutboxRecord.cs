using RetailEdge.Aggregation;

namespace RetailEdge.StoreGateway.Core;

/// <summary>A sealed batch with its stored body (gzip or plain JSON) and its billable size.</summary>
public sealed record OutboxRecord(SealedBatch Sealed, string ContentEncoding, byte[] Body, int BillableBytes);
