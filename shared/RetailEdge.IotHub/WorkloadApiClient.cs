using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHub;

/// <summary>
/// The IoT Edge workload API over its unix socket (or HTTP): signs SAS strings with the module's
/// key, which stays with the IoT Edge daemon, and serves the trust bundle for the edgeHub TLS
/// certificate. PROTOCOLS.md: <c>POST /modules/{m}/genid/{g}/sign?api-version=…</c> with
/// <c>{"keyId":"primary","algo":"HMACSHA256","data":base64}</c> → <c>{"digest"}</c>, retry 5xx 3×;
/// <c>GET /trust-bundle?api-version=…</c> → <c>{"certificate":PEM}</c>. Thread-safe.
/// </summary>
public sealed partial class WorkloadApiClient : ISasTokenSigner, IDisposable
{
    /// <summary>Answers larger than this are refused (a trust bundle is a few KB).</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    // PROTOCOLS.md: edge serves at most 10 concurrent requests per socket and closes extra connections
    private const int MaxConcurrentRequests = 4;

    private readonly WorkloadApiOptions _options;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _concurrency = new(MaxConcurrentRequests, MaxConcurrentRequests);

    /// <summary>Creates a client; validates the options (throws <see cref="ArgumentException"/> naming the setting).</summary>
    public WorkloadApiClient(WorkloadApiOptions options, ILogger<WorkloadApiClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = MaxConcurrentRequests,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseProxy = false,
        };
        Uri baseAddress;
        if (options.WorkloadUri.Scheme == "unix")
        {
            var socketPath = options.WorkloadUri.AbsolutePath;
            handler.ConnectCallback = (_, cancellationToken) => ConnectUnixAsync(socketPath, cancellationToken);
            // PROTOCOLS.md: the HTTP host is the last segment of the socket path
            baseAddress = new Uri("http://" + Path.GetFileName(socketPath) + "/");
        }
        else
        {
            baseAddress = new Uri(options.WorkloadUri.GetLeftPart(UriPartial.Authority) + "/");
        }
        _http = new HttpClient(handler)
        {
            BaseAddress = baseAddress,
            Timeout = options.RequestTimeout,
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
    }

    /// <summary>Signs <paramref name="stringToSign"/> with the module's primary key; returns the base64 digest.</summary>
    public async Task<string> SignAsync(string stringToSign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stringToSign);
        var path = $"modules/{Uri.EscapeDataString(_options.ModuleId)}/genid/{Uri.EscapeDataString(_options.GenerationId)}/sign?api-version={Uri.EscapeDataString(_options.ApiVersion)}";
        var body = BuildSignBody(stringToSign);
        using var document = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } },
        }, "sign", cancellationToken).ConfigureAwait(false);
        if (!document.RootElement.TryGetProperty("digest", out var digest) || digest.ValueKind != JsonValueKind.String)
        {
            throw new WorkloadApiException("the workload API sign answer has no 'digest' string");
        }
        var text = digest.GetString()!;
        Span<byte> buffer = stackalloc byte[64];
        if (!Convert.TryFromBase64String(text, buffer, out var length) || length != 32)
        {
            throw new WorkloadApiException("the workload API digest is not a base64 HMAC-SHA256");
        }
        return text;
    }

    /// <summary>The PEM chain that signs the edgeHub server certificate.</summary>
    public async Task<string> GetTrustBundleAsync(CancellationToken cancellationToken)
    {
        var path = $"trust-bundle?api-version={Uri.EscapeDataString(_options.ApiVersion)}";
        using var document = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), "trust-bundle", cancellationToken).ConfigureAwait(false);
        if (!document.RootElement.TryGetProperty("certificate", out var certificate) || certificate.ValueKind != JsonValueKind.String)
        {
            throw new WorkloadApiException("the workload API trust-bundle answer has no 'certificate' string");
        }
        return certificate.GetString()!;
    }

    /// <summary>Parses a PEM chain into certificates; throws <see cref="WorkloadApiException"/> when it holds none.</summary>
    public static X509Certificate2Collection ParseTrustBundle(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new WorkloadApiException("the trust bundle is not a valid PEM certificate chain", ex);
        }
        if (collection.Count == 0)
        {
            throw new WorkloadApiException("the trust bundle holds no certificate");
        }
        return collection;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _concurrency.Dispose();
    }

    private static byte[] BuildSignBody(string stringToSign)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("keyId", "primary");
            writer.WriteString("algo", "HMACSHA256");
            writer.WriteString("data", Convert.ToBase64String(Encoding.UTF8.GetBytes(stringToSign)));
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }

    private async Task<JsonDocument> SendAsync(Func<HttpRequestMessage> createRequest, string operation, CancellationToken cancellationToken)
    {
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            HttpStatusCode? lastStatus = null;
            Exception? lastError = null;
            var delay = _options.RetryDelay;
            for (var attempt = 0; attempt <= _options.MaxRetries; attempt++)
            {
                if (attempt > 0)
                {
                    LogRetry(_logger, operation, attempt, lastStatus is null ? "no answer" : ((int)lastStatus).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay *= 2;
                }
                try
                {
                    using var request = createRequest();
                    using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                    if ((int)response.StatusCode >= 500)
                    {
                        lastStatus = response.StatusCode;
                        lastError = null;
                        continue;
                    }
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new WorkloadApiException($"the workload API {operation} request failed with {(int)response.StatusCode}: {DescribeError(content)}", response.StatusCode);
                    }
                    try
                    {
                        return JsonDocument.Parse(content);
                    }
                    catch (JsonException ex)
                    {
                        throw new WorkloadApiException($"the workload API {operation} answer is not JSON", ex);
                    }
                }
                catch (HttpRequestException ex)
                {
                    // a connection closed without reply (edge's concurrency limit) is retried
                    lastStatus = null;
                    lastError = ex;
                }
                catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    lastStatus = null;
                    lastError = ex;
                }
            }
            throw new WorkloadApiException(
                $"the workload API {operation} request failed after {_options.MaxRetries + 1} attempts ({(lastStatus is null ? "no answer" : ((int)lastStatus).ToString(System.Globalization.CultureInfo.InvariantCulture))})",
                lastStatus, lastError);
        }
        finally
        {
            _concurrency.Release();
        }
    }

    private static string DescribeError(byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                var text = message.GetString()!;
                return text.Length > 200 ? text[..200] : text;
            }
        }
        catch (JsonException)
        {
        }
        return "no message";
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Workload API {Operation} attempt {Attempt} retried after {Outcome}")]
    private static partial void LogRetry(ILogger logger, string operation, int attempt, string outcome);
}
