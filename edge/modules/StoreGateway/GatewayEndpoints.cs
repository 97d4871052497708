using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>
/// HTTP ingest (ARCHITECTURE.md §6): <c>POST /events</c> takes one JSON object, a JSON array or JSON
/// lines and answers, after the journal commit, one result per event (accepted, duplicate, rejected
/// with its reason code, dropped); <c>GET /health</c> reports the engine's state (counters, never
/// secrets). Before a body is read the request must carry the store's ingest key (401), a JSON media
/// type (415: a web page can then not post with a simple cross-origin request), fit the request
/// limit (413) and the global in-flight budget (503 + Retry-After), and the journal must have disk
/// space (503 disk_full + Retry-After).
/// </summary>
public static class GatewayEndpoints
{
    /// <summary>Events journaled per engine call: a large request holds the parsed form of this many events at a time, not of all.</summary>
    public const int EventsPerChunk = 1000;

    private static readonly string[] JsonMediaTypes =
        ["application/json", "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"];

    public static WebApplication MapStoreGatewayEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/events", PostEventsAsync);
        app.MapGet("/health", GetHealth);
        return app;
    }

    private static async Task PostEventsAsync(HttpContext context, GatewayEngine engine, IngestKeyCheck keys, IngestBudget budget, IOptions<StoreGatewayOptions> options)
    {
        var settings = options.Value;
        if (!keys.IsAuthorized(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "unauthorized",
                keys.IsConfigured ? "missing or wrong ingest key (Authorization: Bearer or X-Api-Key)" : "no ingest key is configured on this gateway").ConfigureAwait(false);
            return;
        }
        if (!IsJsonMediaType(context.Request.ContentType))
        {
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                "Content-Type must be " + string.Join(", ", JsonMediaTypes) + " (UTF-8)").ConfigureAwait(false);
            return;
        }
        if (engine.Status.DiskFull)
        {
            await WriteDiskFullAsync(context).ConfigureAwait(false);
            return;
        }
        var limit = settings.MaxRequestBytes;
        if (context.Request.ContentLength > limit)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "too_large", $"body larger than {limit} bytes").ConfigureAwait(false);
            return;
        }
        // A body of unknown length may grow to the limit: reserve that much.
        using var reservation = budget.TryReserve(context.Request.ContentLength ?? limit);
        if (reservation is null)
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "busy",
                $"more than {budget.MaxBytes} bytes of requests in flight; retry after a second").ConfigureAwait(false);
            return;
        }
        byte[] body;
        int length;
        try
        {
            (body, length) = await ReadBodyAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "too_large", $"body larger than {limit} bytes").ConfigureAwait(false);
            return;
        }
        try
        {
            var events = EventPayload.Split(body.AsMemory(0, length), settings.MaxEventsPerRequest);
            if (events.Count > settings.MaxEventsPerRequest)
            {
                await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "too_many_events", $"at most {settings.MaxEventsPerRequest} events per request").ConfigureAwait(false);
                return;
            }
            var outcomes = new List<IngestOutcome>(events.Count);
            try
            {
                // Chunk by chunk: the journal copies and verdicts of one chunk at a time, not of the whole body.
                for (var start = 0; start < events.Count; start += EventsPerChunk)
                {
                    var chunk = events.GetRange(start, Math.Min(EventsPerChunk, events.Count - start));
                    outcomes.AddRange(await engine.IngestAsync(chunk, IngestSources.Http, context.RequestAborted).ConfigureAwait(false));
                }
            }
            catch (JournalDiskFullException)
            {
                // Chunks before this one are journaled: a retry reports them as duplicates, nothing doubles.
                await WriteDiskFullAsync(context).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                context.Response.Headers.RetryAfter = "5";
                await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "journal_unavailable", "the journal could not commit (" + e.GetType().Name + "); retry").ConfigureAwait(false);
                return;
            }
            await WriteResultsAsync(context, outcomes).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>Reads the body into one pooled buffer (its exact size when Content-Length is given), never beyond <paramref name="limit"/>.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, request.ContentLength ?? 64 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit)
                    {
                        // One more byte means the body is over the limit.
                        var probe = new byte[1];
                        if (await request.Body.ReadAsync(probe, cancellationToken).ConfigureAwait(false) > 0)
                        {
                            throw new Microsoft.AspNetCore.Http.BadHttpRequestException("body too large", StatusCodes.Status413PayloadTooLarge);
                        }
                        return (buffer, length);
                    }
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>JSON, JSON lines or NDJSON, in UTF-8 (RFC 8259 §8.1); anything else, or none, is refused.</summary>
    internal static bool IsJsonMediaType(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is null)
        {
            return false;
        }
        if (media.CharSet is { } charset && !string.Equals(charset.Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return JsonMediaTypes.Contains(media.MediaType, StringComparer.OrdinalIgnoreCase);
    }

    private static async Task WriteResultsAsync(HttpContext context, List<IngestOutcome> outcomes)
    {
        var output = new ArrayBufferWriter<byte>(64 + outcomes.Count * 64);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteNumber("accepted", outcomes.Count(o => o.Status == IngestStatus.Accepted));
            w.WriteNumber("duplicates", outcomes.Count(o => o.Status == IngestStatus.Duplicate));
            w.WriteNumber("rejected", outcomes.Count(o => o.Status == IngestStatus.Rejected));
            w.WriteNumber("dropped", outcomes.Count(o => o.Status == IngestStatus.Dropped));
            w.WriteStartArray("results");
            for (var i = 0; i < outcomes.Count; i++)
            {
                var outcome = outcomes[i];
                w.WriteStartObject();
                w.WriteNumber("index", i);
                if (outcome.EventId is not null)
                {
                    w.WriteString("id", outcome.EventId);
                }
                w.WriteString("status", outcome.Status switch
                {
                    IngestStatus.Accepted => "accepted",
                    IngestStatus.Duplicate => "duplicate",
                    IngestStatus.Rejected => "rejected",
                    _ => "dropped",
                });
                if (outcome.Reason is not null)
                {
                    w.WriteString("reason", outcome.Reason);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static IResult GetHealth(GatewayEngine engine, GatewayModule module, MqttIngestState mqtt, IngestKeyCheck keys, IngestBudget budget)
    {
        var status = engine.Status;
        var health = new GatewayHealth(module.Reported())
        {
            Accepted = status.Accepted,
            Duplicates = status.Duplicates,
            OpenWindows = status.OpenWindows,
            NextSeq = status.NextSeq,
            Mqtt = mqtt.State,
            IngestKey = keys.IsConfigured ? "configured" : "missing",
            InFlightBytes = budget.InFlightBytes,
            DiskFreeBytes = status.DiskFreeBytes,
        };
        return Results.Text(JsonSerializer.Serialize(health, HealthJsonContext.Default.GatewayHealth), "application/json");
    }

    private static Task WriteDiskFullAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "60";
        return WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "disk_full",
            "the journal's disk is full: the gateway only drains its backlog until space is freed");
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string reason, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var output = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("reason", reason);
            w.WriteString("detail", detail);
            w.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
