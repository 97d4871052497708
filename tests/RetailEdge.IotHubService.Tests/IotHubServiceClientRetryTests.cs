using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RetailEdge.IotHubService.Tests;

/// <summary>Retry behaviour against a small real HTTP server on 127.0.0.1 that answers with scripted statuses.</summary>
public class IotHubServiceClientRetryTests
{
    // a script entry with this in place of Retry-After answers with IoT Hub's {"Message":"ErrorCode:…"} body and no error header
    private const string LegacyBody = "legacy-body";

    private const string ConnectionString = "HostName=retryhub.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly Queue<(int Status, string? RetryAfter)> _script;
        private int _requests;

        private ScriptedServer(WebApplication app, Queue<(int, string?)> script)
        {
            _app = app;
            _script = script;
        }

        public int Requests => Volatile.Read(ref _requests);

        public List<string?> Authorizations { get; } = [];

        public Uri BaseAddress { get; private set; } = null!;

        public static async Task<ScriptedServer> StartAsync(params (int Status, string? RetryAfter)[] script)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var server = new ScriptedServer(app, new Queue<(int, string?)>(script));
            app.Run(async context =>
            {
                Interlocked.Increment(ref server._requests);
                lock (server.Authorizations)
                {
                    server.Authorizations.Add(context.Request.Headers.Authorization.ToString());
                }
                var (status, retryAfter) = server._script.Count > 1 ? server._script.Dequeue() : server._script.Peek();
                context.Response.StatusCode = status;
                if (retryAfter is not null && retryAfter != LegacyBody)
                {
                    context.Response.Headers.RetryAfter = retryAfter;
                }
                context.Response.ContentType = "application/json";
                if (status == 200)
                {
                    await context.Response.WriteAsync("""{"deviceId":"d","moduleId":"m","etag":"AAAAAAAAAAE=","version":1,"properties":{"desired":{"$version":1},"reported":{"$version":1}}}""");
                }
                else if (retryAfter == LegacyBody)
                {
                    await context.Response.WriteAsync("""{"Message":"ErrorCode:ModuleNotFound;module d/m is not registered","ExceptionMessage":"Tracking ID:t-2-TimeStamp:12/05/2026 10:00:00"}""");
                }
                else
                {
                    context.Response.Headers["iothub-errorcode"] = status == 429 ? "ThrottlingException" : "ServerError";
                    await context.Response.WriteAsync($$"""{"errorCode":{{status}}001,"trackingId":"t-1","message":"scripted {{status}}"}""");
                }
            });
            await app.StartAsync();
            server.BaseAddress = new Uri(app.Urls.First() + "/");
            return server;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    private static IotHubServiceClient Client(Uri endpoint, int maxRetries = 3) => new(new IotHubServiceClientOptions
    {
        ConnectionString = ConnectionString,
        Endpoint = endpoint,
        MaxRetries = maxRetries,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
    });

    [Fact]
    public async Task GetModuleTwinAsync_429WithRetryAfter_WaitsThenSucceeds()
    {
        await using var server = await ScriptedServer.StartAsync((429, "1"), (200, null));
        using var client = Client(server.BaseAddress);
        var started = DateTime.UtcNow;

        var twin = await client.GetModuleTwinAsync("d", "m");

        Assert.Equal("m", twin.ModuleId);
        Assert.Equal(2, server.Requests);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(950), "Retry-After: 1 was not honoured");
        Assert.All(server.Authorizations, a => Assert.StartsWith("SharedAccessSignature sr=retryhub.azure-devices.net&sig=", a, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetModuleTwinAsync_RetryAfterAboveMax_WaitBounded()
    {
        await using var server = await ScriptedServer.StartAsync((503, "3600"), (200, null));
        using var client = Client(server.BaseAddress);
        var started = DateTime.UtcNow;

        await client.GetModuleTwinAsync("d", "m");

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task GetModuleTwinAsync_Always500_GivesUpAfterMaxRetriesWithHubMessage()
    {
        await using var server = await ScriptedServer.StartAsync((500, null));
        using var client = Client(server.BaseAddress, maxRetries: 2);

        var error = await Assert.ThrowsAsync<IotHubServiceException>(() => client.GetModuleTwinAsync("d", "m"));

        Assert.Equal(3, server.Requests);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("scripted 500", error.HubMessage);
        Assert.Equal("t-1", error.TrackingId);
    }

    [Fact]
    public async Task InvokeModuleMethodAsync_500_NotRetried()
    {
        await using var server = await ScriptedServer.StartAsync((500, null));
        using var client = Client(server.BaseAddress);

        await Assert.ThrowsAsync<IotHubServiceException>(() => client.InvokeModuleMethodAsync("d", "m", new MethodInvocation("flush", new JsonObject())));

        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task GetModuleTwinAsync_400_NotRetried()
    {
        await using var server = await ScriptedServer.StartAsync((400, null));
        using var client = Client(server.BaseAddress);

        var error = await Assert.ThrowsAsync<IotHubServiceException>(() => client.GetModuleTwinAsync("d", "m"));

        Assert.Equal(1, server.Requests);
        Assert.Equal(400001, error.ErrorCode);
    }

    [Fact]
    public async Task GetModuleTwinAsync_HubErrorBodyWithoutHeader_NameAndTextFromMessage()
    {
        await using var server = await ScriptedServer.StartAsync((404, LegacyBody));
        using var client = Client(server.BaseAddress);

        var error = await Assert.ThrowsAsync<IotHubServiceException>(() => client.GetModuleTwinAsync("d", "m"));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("ModuleNotFound", error.ErrorName);
        Assert.Equal("module d/m is not registered", error.HubMessage);
        Assert.Null(error.ErrorCode);
        Assert.StartsWith("Tracking ID:t-2", error.TrackingId, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DeviceConnectionString_RejectedNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new IotHubServiceClient(new IotHubServiceClientOptions
        {
            ConnectionString = "HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        }));

        Assert.Contains("service-policy", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MDEyMzQ1", error.Message, StringComparison.Ordinal);
    }
}
