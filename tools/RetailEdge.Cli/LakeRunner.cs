using RetailEdge.Delta;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;

namespace RetailEdge.Cli;

/// <summary>Opens the table behind a lake path, runs one lake command and maps failures to exit codes and one-line errors.</summary>
internal static class LakeRunner
{
    /// <summary>The reader refuses the table (unsupported feature or broken log).</summary>
    public const int RefusedTable = 3;

    public static async Task<int> RunAsync(string tablePath, Func<LakeSession, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            IDeltaLogStore store;
            try
            {
                store = DeltaStoreLocator.Open(tablePath);
            }
            catch (ArgumentException ex)
            {
                return await FailAsync(CliApp.UsageError, ex.Message).ConfigureAwait(false);
            }
            if (store.LocalRoot is { } root && !Directory.Exists(root))
            {
                return await FailAsync(CliApp.UsageError, $"{root} does not exist").ConfigureAwait(false);
            }
            using var database = DuckDbConnectionExtensions.OpenInMemory();
            using var connection = database.Connect();
            // timestamps print as UTC instants whatever the machine's zone
            connection.Execute("SET TimeZone='UTC'");
            var table = DeltaTable.Open(store, database);
            if (!await table.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                return await FailAsync(CliApp.UsageError, $"{DeltaStoreLocator.Redact(tablePath)} is not a Delta table (no _delta_log commits)").ConfigureAwait(false);
            }
            return await action(new LakeSession(table, connection), cancellationToken).ConfigureAwait(false);
        }
        catch (DeltaUnsupportedFeatureException ex)
        {
            return await FailAsync(RefusedTable, $"unsupported table feature '{ex.Feature}': {OneLine(ex.Message)}").ConfigureAwait(false);
        }
        catch (DeltaConflictException ex)
        {
            return await FailAsync(1, OneLine(ex.Message)).ConfigureAwait(false);
        }
        catch (DeltaException ex)
        {
            return await FailAsync(RefusedTable, "table cannot be read: " + OneLine(ex.Message)).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex)
        {
            // the SDK's message goes on with response headers and body: the status, code and first line say it
            return await FailAsync(CliApp.UsageError, $"storage: {ex.Status} {ex.ErrorCode}: {ex.Message.ReplaceLineEndings("\n").Split('\n')[0]}").ConfigureAwait(false);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0 && ex.InnerExceptions.All(e => e is HttpRequestException or IOException or Azure.RequestFailedException))
        {
            // the SDK retried a connection failure and gave up: one line for the last attempt
            return await FailAsync(CliApp.UsageError, "storage unreachable: " + OneLine(ex.InnerExceptions[^1].Message)).ConfigureAwait(false);
        }
        catch (LakeInputException ex)
        {
            return await FailAsync(CliApp.UsageError, OneLine(ex.Message)).ConfigureAwait(false);
        }
        catch (Azure.Identity.AuthenticationFailedException ex)
        {
            // no SAS or connection string was found, and DefaultAzureCredential found no usable identity either
            return await FailAsync(CliApp.UsageError, $"no storage credentials: give a SAS in the URL, {DeltaStoreLocator.ConnectionStringVariable}, "
                + $"{DeltaStoreLocator.LakeConnectionStringVariable}, {DeltaStoreLocator.AzureConnectionStringVariable} or {DeltaStoreLocator.SasVariable}, or an Azure.Identity credential (Azure.Identity said: {OneLine(ex.Message)})").ConfigureAwait(false);
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static async Task<int> FailAsync(int code, string message)
    {
        await Console.Error.WriteLineAsync("error: " + message).ConfigureAwait(false);
        return code;
    }
}
