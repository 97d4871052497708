namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// The journal's disk is full: the events were not journaled (so not acknowledged) and the gateway
/// drains its backlog only until space is freed. HTTP answers 503 disk_full; the store broker
/// redelivers what it did not get a PUBACK for.
/// </summary>
public sealed class JournalDiskFullException : IOException
{
    public JournalDiskFullException()
        : base("the journal's disk is full; free space on the data volume (the gateway drains its backlog meanwhile)")
    {
    }

    public JournalDiskFullException(string message)
        : base(message)
    {
    }

    public JournalDiskFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
