using System.Net;

namespace RetailEdge.BlobStorage.Tests;

/// <summary>Transient failures from a real HTTP server on 127.0.0.1 (Azurite does not produce them on demand).</summary>
public sealed class BlobRetryTests
{
    private static BlobStorageClientOptions Options(Uri endpoint, int retries = 3) => new()
    {
        ServiceUri = endpoint,
        SasToken = "sv=2020-08-04&sig=abc%2Bdef",
        MaxRetries = retries,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task Put_503Then429ThenCreated_RetriesAndSucceeds()
    {
        await using var server = new ScriptedHttpServer(
            ScriptedHttpServer.Respond(HttpStatusCode.ServiceUnavailable),
            ScriptedHttpServer.Respond(HttpStatusCode.TooManyRequests, ("Retry-After", "0")),
            ScriptedHttpServer.Respond(HttpStatusCode.Created, ("ETag", "\"0x8D1\"")));
        var log = new CapturingLogger<BlobStorageClient>();
        using var client = new BlobStorageClient(Options(server.Endpoint), logger: log);
        var result = await client.GetContainerClient("lake").PutBlobAsync("t/0.json", "{}"u8.ToArray());
        Assert.Equal("\"0x8D1\"", result.ETag);
        Assert.Equal(3, server.Requests.Count);
        // Each attempt is a fresh, complete request carrying the SAS (percent-encoding kept).
        Assert.All(server.Requests, r => Assert.Equal("/account1/lake/t/0.json?sv=2020-08-04&sig=abc%2Bdef", r.Url));
        Assert.Equal(2, log.Lines.Count(l => l.Contains("retry", StringComparison.Ordinal)));
        Assert.DoesNotContain(log.Lines, l => l.Contains("sig=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Put_AlwaysUnavailable_GivesUpAfterMaxRetriesWithStatus()
    {
        await using var server = new ScriptedHttpServer(ScriptedHttpServer.Respond(HttpStatusCode.ServiceUnavailable, ("x-ms-error-code", "ServerBusy")));
        using var client = new BlobStorageClient(Options(server.Endpoint, retries: 2));
        var error = await Assert.ThrowsAsync<BlobStorageException>(() => client.GetContainerClient("lake").PutBlobAsync("x", new byte[] { 1 }));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Equal("ServerBusy", error.ErrorCode);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Put_BadRequest_IsNotRetried()
    {
        await using var server = new ScriptedHttpServer(ScriptedHttpServer.Respond(HttpStatusCode.BadRequest, ("x-ms-error-code", "InvalidHeaderValue")));
        using var client = new BlobStorageClient(Options(server.Endpoint));
        var error = await Assert.ThrowsAsync<BlobStorageException>(() => client.GetContainerClient("lake").PutBlobAsync("x", new byte[] { 1 }));
        Assert.Equal("InvalidHeaderValue", error.ErrorCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Put_ConnectionRefused_RetriesThenFailsNamingTheBlob()
    {
        var port = RetailEdge.Testing.FreePort.Next();
        using var client = new BlobStorageClient(Options(new Uri($"http://127.0.0.1:{port}/account1"), retries: 2));
        var error = await Assert.ThrowsAsync<BlobStorageException>(() => client.GetContainerClient("lake").PutBlobAsync("x/y", new byte[] { 1 }));
        Assert.Contains("lake/x/y", error.Message, StringComparison.Ordinal);
        Assert.Contains("failed after 3 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task Put_Cancelled_ThrowsOperationCanceled()
    {
        await using var server = new ScriptedHttpServer(ScriptedHttpServer.Respond(HttpStatusCode.ServiceUnavailable, ("Retry-After", "30")));
        using var client = new BlobStorageClient(Options(server.Endpoint) with { MaxRetryDelay = TimeSpan.FromSeconds(30) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetContainerClient("lake").PutBlobAsync("x", new byte[] { 1 }, cancellationToken: cts.Token));
    }
}
