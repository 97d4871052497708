using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace RetailEdge.HubEmulator.Service;

/// <summary>
/// Error responses in IoT Hub's shape: <c>{"errorCode":404103,"trackingId":"…","message":"…",
/// "info":{…},"timestampUtc":"…"}</c> with the <c>iothub-errorcode</c> header naming the error.
/// </summary>
internal static class HubErrors
{
    public static Task WriteAsync(HttpContext context, int status, int errorCode, string errorName, string message, TimeProvider timeProvider, JsonObject? info = null)
    {
        var body = new JsonObject
        {
            ["errorCode"] = errorCode,
            ["trackingId"] = Guid.NewGuid().ToString("N"),
            ["message"] = message,
            ["info"] = info ?? [],
            ["timestampUtc"] = timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
        };
        context.Response.StatusCode = status;
        context.Response.Headers["iothub-errorcode"] = errorName;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static Task BadRequestAsync(HttpContext context, string message, TimeProvider timeProvider) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, 400004, "ArgumentInvalid", message, timeProvider);

    public static Task NotFoundAsync(HttpContext context, string message, bool module, TimeProvider timeProvider) =>
        WriteAsync(context, StatusCodes.Status404NotFound, module ? 404010 : 404001, module ? "ModuleNotFound" : "DeviceNotFound", message, timeProvider);
}
