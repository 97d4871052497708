using Microsoft.Data.Sqlite;

namespace RetailEdge.StoreGateway.Core;

/// <summary>Which store the gateway journal is kept in.</summary>
public enum JournalKind
{
    /// <summary>SQLite in WAL mode with synchronous=FULL (<see cref="GatewayJournal"/>).</summary>
    Sqlite,

    /// <summary>LiteDB 5 with its log synced after every commit (<see cref="LiteDbGatewayJournal"/>).</summary>
    LiteDb,
}

/// <summary>Opens a gateway journal of a kind and tells its storage failures apart from other exceptions.</summary>
public static class GatewayJournals
{
    /// <param name="kind">the store</param>
    /// <param name="dataDirectory">folder of the journal's files</param>
    /// <param name="checkpointOnCommit">false for the engine's writer: its commits never copy the log into the main file (the checkpointer does)</param>
    public static IGatewayJournal Open(JournalKind kind, string dataDirectory, bool checkpointOnCommit = true) => kind switch
    {
        JournalKind.Sqlite => new GatewayJournal(dataDirectory, checkpointOnCommit),
        JournalKind.LiteDb => new LiteDbGatewayJournal(dataDirectory),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown journal kind"),
    };

    /// <summary>Parses a configured kind: sqlite or litedb (any case).</summary>
    public static bool TryParse(string? text, out JournalKind kind) => Enum.TryParse(text, ignoreCase: true, out kind) && Enum.IsDefined(kind);

    /// <summary>Whether a journal call failed in its storage (a busy, full or failing disk) rather than in the caller's logic.</summary>
    public static bool IsStorageError(Exception exception) => exception is SqliteException or IOException || LiteDbGatewayJournal.IsStorageError(exception);

    /// <summary>Whether a journal call failed because its disk is full.</summary>
    public static bool IsDiskFullError(Exception exception) => GatewayJournal.IsDiskFullError(exception) || LiteDbGatewayJournal.IsDiskFullError(exception);
}
