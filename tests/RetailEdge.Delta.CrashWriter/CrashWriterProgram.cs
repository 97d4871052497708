using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.CrashWriter;

/// <summary>
/// Appends rows to the table given as the first argument, but stops just before the commit:
/// prints "DATA-WRITTEN" once the data files are on disk and waits to be killed.
/// </summary>
internal static class CrashWriterProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 1)
        {
            await Console.Error.WriteLineAsync("usage: RetailEdge.Delta.CrashWriter <tablePath>").ConfigureAwait(false);
            return 2;
        }
        using var database = DuckDbConnectionExtensions.OpenInMemory();
        using var connection = database.Connect();
        var store = new PausingStore(new LocalDeltaLogStore(args[0]));
        var table = DeltaTable.Open(store, database);
        await table.WriteAsync(connection,
            "SELECT range AS id, 'crash' AS store FROM range(1000, 1010)", null, CancellationToken.None).ConfigureAwait(false);
        await Console.Out.WriteLineAsync("COMMITTED (the test should have killed this process)").ConfigureAwait(false);
        return 1;
    }
}
