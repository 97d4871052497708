using System.CommandLine;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge reference load --from &lt;dir of CSV&gt; --lake &lt;lake&gt;</c>: writes reference.store,
/// reference.item, reference.change_type and (when assortment.csv exists) reference.assortment.
/// </summary>
public static class ReferenceCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Folder with store.csv, item.csv, change_type.csv[, assortment.csv] (simulate --reference-out writes them)", Required = true };
        var lake = new Option<string>("--lake") { Description = "The lake root: a folder or a blob container URL (https or abfss; credentials: RETAILEDGE_LAKE_CONNECTION_STRING, else Azure.Identity)", Required = true };
        var load = new Command("load", "Load reference CSVs into the lake's reference tables");
        load.Options.Add(from);
        load.Options.Add(lake);
        load.SetAction((parseResult, cancellationToken) => LoadAsync(parseResult.GetValue(from)!, parseResult.GetValue(lake)!, cancellationToken));
        var command = new Command("reference", "Reference data (stores, items, change types, assortment) in the lake");
        command.Subcommands.Add(load);
        return command;
    }

    private static async Task<int> LoadAsync(string from, string lakeLocation, CancellationToken cancellationToken)
    {
        try
        {
            using var lake = new LakeContext(LakeLocations.OpenLake(lakeLocation), TimeProvider.System);
            var counts = await new ReferenceLoader(lake).LoadAsync(from, cancellationToken).ConfigureAwait(false);
            foreach (var (table, rows) in counts)
            {
                Console.WriteLine($"{table}: {rows} rows");
            }
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or FormatException)
        {
            // one line naming the file or setting that is wrong
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.UsageError;
        }
        catch (Exception e) when (e is AzureCredentialException || e.InnerException is AzureCredentialException)
        {
            // no usable Azure.Identity credential (the blob client wraps it): what for, and which settings choose the authentication
            await Console.Error.WriteLineAsync("error: " + (e as AzureCredentialException ?? e.InnerException)!.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
