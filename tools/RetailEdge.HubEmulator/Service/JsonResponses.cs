using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace RetailEdge.HubEmulator.Service;

/// <summary>Reads bounded JSON request bodies and writes JSON responses.</summary>
internal static class JsonResponses
{
    public static Task WriteAsync(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body?.ToJsonString() ?? "null", context.RequestAborted);
    }

    /// <summary>The body as a JSON object, or null with <paramref name="error"/> set (too large, not JSON, not an object).</summary>
    public static async Task<(JsonObject? Body, string? Error)> ReadObjectAsync(HttpContext context, int maxBytes)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            return (null, $"the request body is larger than {maxBytes} bytes");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, $"the request body is larger than {maxBytes} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            return (null, "the request body is empty; a JSON object is expected");
        }
        try
        {
            var node = JsonNode.Parse(buffer.ToArray(), documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
            return node is JsonObject obj ? (obj, null) : (null, "the request body must be a JSON object");
        }
        catch (JsonException ex)
        {
            return (null, "the request body is not valid JSON: " + ex.Message);
        }
    }
}
