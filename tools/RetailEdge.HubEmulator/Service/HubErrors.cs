using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RetailEdge.HubEmulator.Service;

/// <summary>
/// Error responses in IoT Hub's shape (<see cref="HubErrorBody"/>), with the
/// <c>iothub-errorcode</c> header naming the error as the hub sends it.
/// </summary>
internal static class HubErrors
{
    public static Task WriteAsync(HttpContext context, int status, string errorName, string message, TimeProvider timeProvider)
    {
        // the SDKs split Message at ';' and keep the second part: a ';' in the text would cut it short
        var text = message.Replace(';', ',');
        var timestamp = timeProvider.GetUtcNow().UtcDateTime.ToString("MM/dd/yyyy HH:mm:ss", CultureInfo.InvariantCulture);
        var body = new HubErrorBody($"ErrorCode:{errorName};{text}", $"Tracking ID:{Guid.NewGuid():N}-TimeStamp:{timestamp}");
        context.Response.StatusCode = status;
        context.Response.Headers["iothub-errorcode"] = errorName;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, ServiceJsonContext.Default.HubErrorBody), context.RequestAborted);
    }

    public static Task BadRequestAsync(HttpContext context, string message, TimeProvider timeProvider) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, "ArgumentInvalid", message, timeProvider);

    public static Task NotFoundAsync(HttpContext context, string message, bool module, TimeProvider timeProvider) =>
        WriteAsync(context, StatusCodes.Status404NotFound, module ? "ModuleNotFound" : "DeviceNotFound", message, timeProvider);

    public static Task PreconditionFailedAsync(HttpContext context, string message, TimeProvider timeProvider) =>
        WriteAsync(context, StatusCodes.Status412PreconditionFailed, "PreconditionFailed", message, timeProvider);
}
