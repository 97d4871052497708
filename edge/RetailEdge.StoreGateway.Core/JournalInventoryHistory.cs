using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RetailEdge.Aggregation;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// The aggregator's <see cref="IInventoryHistory"/>: the journal's events, read on a connection of its
/// own (WAL: a reader never blocks the writer's commits) and parsed as a rebuild parses them. Used by one
/// thread at a time (the aggregation lane or the writer, which waits for the lane), opened on first use.
/// </summary>
internal sealed class JournalInventoryHistory : IInventoryHistory, IDisposable
{
    /// <summary>A parse-only check passes everything once accepted, whatever the clock says now.</summary>
    internal static readonly DateTimeOffset FarFuture = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _dataDirectory;
    private readonly ILogger _logger;
    private readonly EventValidator _parser = CreateParser();
    private GatewayJournal? _journal;
    private bool _incompleteLogged;

    public JournalInventoryHistory(string dataDirectory, ILogger logger)
    {
        _dataDirectory = dataDirectory;
        _logger = logger;
    }

    /// <summary>
    /// Parse-only: what was accepted once is accepted again, whatever the clock, reference data or newer
    /// shape rules (duplicate keys) say now.
    /// </summary>
    internal static EventValidator CreateParser() => new(new EventValidationOptions { RejectDuplicateKeys = false });

    public bool TryVisitEventsSince(DateTimeOffset since, long beforeTag, Action<StoreEvent> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        try
        {
            _journal ??= new GatewayJournal(_dataDirectory);
            // Stored ts are whole milliseconds, truncated: the visitor compares the exact times.
            var sinceMs = since.ToUnixTimeMilliseconds();
            if (_journal.RemovedEventsThroughTs is { } removedThrough && removedThrough >= sinceMs)
            {
                return Incomplete("events at or after the count's time were removed by retention or the disk budget");
            }
            foreach (var (_, json) in _journal.ReadEventsSince(sinceMs, beforeTag))
            {
                // An event that no longer parses was skipped when it was aggregated too.
                if (_parser.Validate(json, FarFuture) is { IsValid: true, Event: { } storeEvent })
                {
                    visit(storeEvent);
                }
            }
            return true;
        }
        catch (SqliteException e)
        {
            _journal?.Dispose();
            _journal = null;
            return Incomplete("reading the journal failed: " + e.Message);
        }
    }

    private bool Incomplete(string reason)
    {
        if (!_incompleteLogged)
        {
            _incompleteLogged = true;
            Log.InexactLateCount(_logger, reason);
        }
        return false;
    }

    public void Dispose() => _journal?.Dispose();
}
