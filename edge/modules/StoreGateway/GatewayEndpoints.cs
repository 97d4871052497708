using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>
/// HTTP ingest (ARCHITECTURE.md §6): <c>POST /events</c> takes one JSON object, a JSON array or JSON
/// lines and answers, after the journal commit, one result per event (accepted, duplicate, rejected
/// with its reason code, dropped); <c>GET /health</c> reports the engine's state.
/// </summary>
public static class GatewayEndpoints
{
    public static WebApplication MapStoreGatewayEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/events", PostEventsAsync);
        app.MapGet("/health", GetHealth);
        return app;
    }

    private static async Task PostEventsAsync(HttpContext context, GatewayEngine engine, IOptions<StoreGatewayOptions> options)
    {
        var limit = options.Value.MaxRequestBytes;
        if (context.Request.ContentLength > limit)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "too_large", $"body larger than {limit} bytes").ConfigureAwait(false);
            return;
        }
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "too_large", $"body larger than {limit} bytes").ConfigureAwait(false);
            return;
        }
        var events = EventPayload.Split(body);
        if (events.Count > EventPayload.MaxEventsPerRequest)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "too_many_events", $"at most {EventPayload.MaxEventsPerRequest} events per request").ConfigureAwait(false);
            return;
        }
        var outcomes = await engine.IngestAsync(events, IngestSources.Http, context.RequestAborted).ConfigureAwait(false);
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

    private static IResult GetHealth(GatewayEngine engine, GatewayModule module, MqttIngestState mqtt)
    {
        var status = engine.Status;
        var body = new Dictionary<string, object?>
        {
            ["status"] = module.ConfigError is null && !status.OverBudget ? "running" : "degraded",
            ["accepted"] = status.Accepted,
            ["rejected"] = status.Rejected,
            ["duplicates"] = status.Duplicates,
            ["dropped"] = status.Dropped,
            ["openWindows"] = status.OpenWindows,
            ["bufferedBatches"] = status.BufferedBatches,
            ["nextSeq"] = status.NextSeq,
            ["referenceDataVersion"] = status.ReferenceDataVersion,
            ["configError"] = module.ConfigError,
            ["mqtt"] = mqtt.State,
        };
        return Results.Text(JsonSerializer.Serialize(body, HealthJsonContext.Default.DictionaryStringObject), "application/json");
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
