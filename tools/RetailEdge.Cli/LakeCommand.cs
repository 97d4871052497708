using System.CommandLine;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge lake inspect|show|history|optimize|vacuum &lt;tablePath&gt;</c>: look into and
/// maintain one Delta table. A table path is a folder or an Azure Blob URL (credentials from the
/// environment, see <see cref="Delta.AzureBlob.DeltaStoreLocator"/>). Exit codes: 0 done, 2 bad
/// input, 3 the table uses a feature the reader refuses (or its log is broken).
/// </summary>
public static class LakeCommand
{
    public static Command Create()
    {
        var command = new Command("lake", "Inspect, read and maintain Delta tables (a folder or an Azure Blob URL)");
        command.Subcommands.Add(Inspect());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(History());
        command.Subcommands.Add(Optimize());
        command.Subcommands.Add(Vacuum());
        return command;
    }

    /// <summary>The option's value, or null when it did not parse (the parser reports that error itself).</summary>
    private static T? Value<T>(System.CommandLine.Parsing.OptionResult result)
    {
        try
        {
            return result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    private static Argument<string> TablePath() => new("tablePath") { Description = "The table: a folder, or https://account.blob.core.windows.net/container/path" };

    private static Option<long?> VersionOption()
    {
        var version = new Option<long?>("--version") { Description = "Read the table as of this version (time travel)" };
        version.Validators.Add(r =>
        {
            if (Value<long?>(r) is < 0)
            {
                r.AddError("--version must be ≥ 0");
            }
        });
        return version;
    }

    private static Command Inspect()
    {
        var path = TablePath();
        var version = VersionOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("inspect", "Version, protocol, partitioning, schema, file and record counts");
        command.Arguments.Add(path);
        command.Options.Add(version);
        command.Options.Add(json);
        command.SetAction((parseResult, cancellationToken) => LakeRunner.RunAsync(parseResult.GetValue(path)!,
            (lake, ct) => lake.InspectAsync(parseResult.GetValue(version), parseResult.GetValue(json), ct), cancellationToken));
        return command;
    }

    private static Command Show()
    {
        var path = TablePath();
        var version = VersionOption();
        var limit = new Option<int?>("--limit") { Description = "Print at most this many rows" };
        limit.Validators.Add(r =>
        {
            if (Value<int?>(r) is < 0)
            {
                r.AddError("--limit must be ≥ 0");
            }
        });
        var format = new Option<string>("--format") { Description = "csv (default) or json", DefaultValueFactory = _ => "csv" };
        format.Validators.Add(r =>
        {
            // one-line message: the CLI prints exactly one line per usage error
            if (r.GetValueOrDefault<string>() is not ("csv" or "json"))
            {
                r.AddError("--format must be csv or json");
            }
        });
        var command = new Command("show", "Print the rows (partition columns included), ordered by all columns");
        command.Arguments.Add(path);
        command.Options.Add(version);
        command.Options.Add(limit);
        command.Options.Add(format);
        command.SetAction((parseResult, cancellationToken) => LakeRunner.RunAsync(parseResult.GetValue(path)!,
            (lake, ct) => lake.ShowAsync(parseResult.GetValue(version), parseResult.GetValue(limit), parseResult.GetValue(format) == "json", ct),
            cancellationToken));
        return command;
    }

    private static Command History()
    {
        var path = TablePath();
        var limit = new Option<int?>("--limit") { Description = "Only the newest N commits" };
        limit.Validators.Add(r =>
        {
            if (Value<int?>(r) is < 1)
            {
                r.AddError("--limit must be ≥ 1");
            }
        });
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("history", "The commits in the log, newest first");
        command.Arguments.Add(path);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetAction((parseResult, cancellationToken) => LakeRunner.RunAsync(parseResult.GetValue(path)!,
            (lake, ct) => lake.HistoryAsync(parseResult.GetValue(limit), parseResult.GetValue(json), ct), cancellationToken));
        return command;
    }

    private static Command Optimize()
    {
        var path = TablePath();
        var command = new Command("optimize", "Compact small files per partition (dataChange=false)");
        command.Arguments.Add(path);
        command.SetAction((parseResult, cancellationToken) => LakeRunner.RunAsync(parseResult.GetValue(path)!,
            (lake, ct) => lake.OptimizeAsync(ct), cancellationToken));
        return command;
    }

    private static Command Vacuum()
    {
        var path = TablePath();
        var retention = new Option<double>("--retention-hours") { Description = "Keep unreferenced files younger than this (default 168 = 7 days)", DefaultValueFactory = _ => 168 };
        retention.Validators.Add(r =>
        {
            if (Value<double>(r) is < 0 or double.NaN)
            {
                r.AddError("--retention-hours must be ≥ 0");
            }
        });
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted, delete nothing" };
        var command = new Command("vacuum", "Delete data files no version within the retention references");
        command.Arguments.Add(path);
        command.Options.Add(retention);
        command.Options.Add(dryRun);
        command.SetAction((parseResult, cancellationToken) => LakeRunner.RunAsync(parseResult.GetValue(path)!,
            (lake, ct) => lake.VacuumAsync(TimeSpan.FromHours(parseResult.GetValue(retention)), parseResult.GetValue(dryRun), ct), cancellationToken));
        return command;
    }
}
