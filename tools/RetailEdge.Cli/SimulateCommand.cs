using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using RetailEdge.Contracts.Reference;
using RetailEdge.Simulator;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge simulate</c>: writes simulated store events as JSON lines (a file, or - for stdout),
/// optionally the reference data as CSV, and prints a summary table.
/// </summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile")
        {
            Description = "Store size: small, reference (ARCHITECTURE.md §11) or busy",
            DefaultValueFactory = _ => SimulationProfile.Small.Name,
        };
        profile.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!SimulationProfile.TryGet(value, out _))
            {
                result.AddError($"--profile '{value}' is unknown: use small, reference or busy");
            }
        });
        var stores = new Option<int>("--stores")
        {
            Description = $"Number of stores (1..{SimulationOptions.MaxStores})",
            DefaultValueFactory = _ => 1,
        };
        stores.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value is < 1 or > SimulationOptions.MaxStores)
            {
                result.AddError($"--stores {value} is out of range: use 1..{SimulationOptions.MaxStores}");
            }
        });
        var start = new Option<string>("--start")
        {
            Description = "Start time, ISO-8601. Without an offset: each store's local wall-clock time (default 2026-11-02T00:00:00); with Z or ±hh:mm: one instant",
            DefaultValueFactory = _ => "2026-11-02T00:00:00",
        };
        start.Validators.Add(result =>
        {
            if (!SimulateArguments.TryParseStart(result.GetValueOrDefault<string>() ?? string.Empty, out _, out _, out var error))
            {
                result.AddError(error);
            }
        });
        var duration = new Option<string>("--duration")
        {
            Description = "How long to simulate: e.g. 30m, 1h, 1d, 2d12h (default 1d)",
            DefaultValueFactory = _ => "1d",
            AllowMultipleArgumentsPerToken = false,
        };
        duration.Validators.Add(result =>
        {
            if (!SimulateArguments.TryParseDuration(result.GetValueOrDefault<string>() ?? string.Empty, out _, out var error))
            {
                result.AddError(error);
            }
        });
        var seed = new Option<int>("--seed")
        {
            Description = "Random seed: the same seed gives the same output, byte for byte (default 1)",
            DefaultValueFactory = _ => 1,
        };
        var output = new Option<string>("--out")
        {
            Description = "Where to write the events as JSON lines: a file, or - for standard output",
            Required = true,
        };
        var faults = new Option<string>("--faults")
        {
            Description = "Fault injection: none, default or heavy (default none)",
            DefaultValueFactory = _ => FaultSettings.None.Name,
        };
        faults.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!FaultSettings.TryGet(value, out _))
            {
                result.AddError($"--faults '{value}' is unknown: use none, default or heavy");
            }
        });
        var referenceOut = new Option<string?>("--reference-out")
        {
            Description = "A folder to write store.csv, item.csv, change_type.csv and assortment.csv into",
        };

        var command = new Command("simulate", "Simulate store POS, scale and inventory events as JSON lines")
        {
            profile, stores, start, duration, seed, output, faults, referenceOut,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            SimulateArguments.TryParseStart(parseResult.GetValue(start)!, out var startValue, out var storeLocal, out _);
            SimulateArguments.TryParseDuration(parseResult.GetValue(duration)!, out var durationValue, out _);
            var options = new SimulationOptions
            {
                Profile = parseResult.GetValue(profile)!,
                Stores = parseResult.GetValue(stores),
                Start = startValue,
                StartIsStoreLocal = storeLocal,
                Duration = durationValue,
                Seed = parseResult.GetValue(seed),
                Faults = FaultSettings.FromName(parseResult.GetValue(faults)!),
            };
            return RunAsync(options, parseResult.GetValue(output)!, parseResult.GetValue(referenceOut), cancellationToken);
        });
        return command;
    }

    /// <summary>Runs a simulation into <paramref name="outPath"/> (- for stdout). Returns the exit code.</summary>
    public static async Task<int> RunAsync(SimulationOptions options, string outPath, string? referenceOut, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(outPath);
        var toStdout = outPath == "-";
        var report = toStdout ? Console.Error : Console.Out;
        StoreSimulator simulator;
        try
        {
            simulator = new StoreSimulator(options);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message.Split('\n')[0]).ConfigureAwait(false);
            return CliApp.UsageError;
        }

        Stream stream;
        try
        {
            stream = toStdout
                ? Console.OpenStandardOutput()
                : new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"error: cannot write --out '{outPath}': {OneLine(e.Message)}").ConfigureAwait(false);
            return CliApp.UsageError;
        }

        await using (stream.ConfigureAwait(false))
        {
            if (referenceOut is not null)
            {
                try
                {
                    await WriteReferenceAsync(simulator.Catalog, referenceOut, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
                {
                    await Console.Error.WriteLineAsync($"error: cannot write --reference-out '{referenceOut}': {OneLine(e.Message)}").ConfigureAwait(false);
                    return CliApp.UsageError;
                }
            }

            var tally = new SimulateTally();
            var watch = Stopwatch.StartNew();
            var buffered = toStdout ? new BufferedStream(stream, 1 << 20) : stream;
            var count = 0;
            foreach (var simulated in simulator.Generate())
            {
                buffered.Write(simulated.Json);
                buffered.WriteByte((byte)'\n');
                tally.Add(simulated);
                if (++count % 4096 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
            watch.Stop();
            SimulateSummary.Write(report, options, simulator, tally, watch.Elapsed, toStdout ? null : outPath, referenceOut);
        }
        return 0;
    }

    private static async Task WriteReferenceAsync(SimulationCatalog catalog, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(catalog.Stores), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems(catalog.Items), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes(catalog.ChangeTypes), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, ReferenceCsv.AssortmentFile), ReferenceCsv.FormatAssortment(catalog.Assortment), cancellationToken).ConfigureAwait(false);
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
