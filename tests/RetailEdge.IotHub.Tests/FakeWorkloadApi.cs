using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RetailEdge.Testing;

namespace RetailEdge.IotHub.Tests;

/// <summary>
/// An IoT Edge workload API served by Kestrel on a unix socket: signs with a module key it holds
/// and serves a trust bundle. Can answer the first N sign requests with 500 to prove retries.
/// </summary>
public sealed class FakeWorkloadApi : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("workload");
    private WebApplication? _app;
    private int _failuresLeft;
    private int _signRequests;

    private FakeWorkloadApi(string key, string moduleId, string generationId, X509Certificate2? authority)
    {
        Key = key;
        ModuleId = moduleId;
        GenerationId = generationId;
        SocketPath = _directory.Combine("workload.sock");
        if (authority is not null)
        {
            TrustBundlePem = authority.ExportCertificatePem();
            TrustBundleThumbprint = authority.Thumbprint;
            return;
        }
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=RetailEdge test edge CA", caKey, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        TrustBundlePem = certificate.ExportCertificatePem();
        TrustBundleThumbprint = certificate.Thumbprint;
    }

    public string Key { get; }

    public string ModuleId { get; }

    public string GenerationId { get; }

    public string SocketPath { get; }

    public Uri WorkloadUri => new("unix://" + SocketPath);

    public string TrustBundlePem { get; }

    public string TrustBundleThumbprint { get; }

    public int SignRequests => Volatile.Read(ref _signRequests);

    /// <summary>The last Host header and API version seen.</summary>
    public string? LastHost { get; private set; }

    public string? LastApiVersion { get; private set; }

    /// <summary>The next <paramref name="count"/> sign requests get 500.</summary>
    public void FailNextSigns(int count) => Volatile.Write(ref _failuresLeft, count);

    public WorkloadApiOptions Options(TimeSpan? retryDelay = null) => new()
    {
        WorkloadUri = WorkloadUri,
        ModuleId = ModuleId,
        GenerationId = GenerationId,
        ApiVersion = "2019-01-30",
        RetryDelay = retryDelay ?? TimeSpan.FromMilliseconds(10),
    };

    public static async Task<FakeWorkloadApi> StartAsync(string key, string moduleId = "StoreGateway", string generationId = "637000000000000001", X509Certificate2? authority = null)
    {
        var api = new FakeWorkloadApi(key, moduleId, generationId, authority);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.ListenUnixSocket(api.SocketPath));
        var app = builder.Build();
        app.MapPost("/modules/{module}/genid/{genid}/sign", api.SignAsync);
        app.MapGet("/trust-bundle", (HttpContext context) =>
        {
            api.LastHost = context.Request.Host.Value;
            api.LastApiVersion = context.Request.Query["api-version"];
            return Results.Json(new Dictionary<string, string> { ["certificate"] = api.TrustBundlePem });
        });
        await app.StartAsync();
        api._app = app;
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _directory.Dispose();
    }

    private async Task<IResult> SignAsync(HttpContext context, string module, string genid)
    {
        Interlocked.Increment(ref _signRequests);
        LastHost = context.Request.Host.Value;
        LastApiVersion = context.Request.Query["api-version"];
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return Results.Json(new Dictionary<string, string> { ["message"] = "transient" }, statusCode: 500);
        }
        if (module != ModuleId || genid != GenerationId)
        {
            return Results.Json(new Dictionary<string, string> { ["message"] = "unknown module" }, statusCode: 404);
        }
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var root = document.RootElement;
        if (root.GetProperty("keyId").GetString() != "primary" || root.GetProperty("algo").GetString() != "HMACSHA256")
        {
            return Results.Json(new Dictionary<string, string> { ["message"] = "bad request" }, statusCode: 400);
        }
        var data = Convert.FromBase64String(root.GetProperty("data").GetString()!);
        var digest = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(Key), data));
        return Results.Json(new Dictionary<string, string> { ["digest"] = digest });
    }
}
