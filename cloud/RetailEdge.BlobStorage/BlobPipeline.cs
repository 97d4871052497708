using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Xml.Linq;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace RetailEdge.BlobStorage;

/// <summary>
/// Sends one logical operation: builds a fresh request per attempt (so bodies can be re-sent),
/// authorizes it (Shared Key signature, SAS query or bearer token), applies a per-try timeout,
/// and retries transient failures with exponential back-off and jitter, honouring Retry-After.
/// </summary>
internal sealed class BlobPipeline : IDisposable
{
    private static readonly string[] StorageScope = ["https://storage.azure.com/.default"];

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly BlobStorageClientOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private AccessToken? _token;

    public BlobPipeline(BlobStorageClientOptions options, HttpClient? httpClient, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _ownsHttp = httpClient is null;
        // Timeouts are per try (below); the HttpClient's own timeout must not cut a retried operation short.
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        _retry = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(options.MaxRetries, 1),
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && IsTransient(args.Outcome)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    var (operation, resource) = args.Context.Properties.GetValue(OperationKey, ("?", "?"));
                    if (args.Outcome.Result is { } response)
                    {
                        Log.RetryingStatus(_logger, operation, resource, response.StatusCode, args.AttemptNumber + 1, args.RetryDelay);
                    }
                    else
                    {
                        Log.RetryingError(_logger, operation, resource, args.Outcome.Exception?.GetType().Name + ": " + args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay);
                    }
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private static ResiliencePropertyKey<(string Operation, string Resource)> OperationKey { get; } = new("retailedge.blob.operation");

    public BlobStorageClientOptions Options => _options;

    public ILogger Logger => _logger;

    /// <summary>The URL for a container/blob plus query parameters (each name and value percent-encoded) and the SAS.</summary>
    public Uri BuildUri(string container, string? blobName, IEnumerable<KeyValuePair<string, string>>? query)
    {
        var path = _options.ServiceUri.AbsoluteUri.TrimEnd('/');
        if (container.Length > 0)
        {
            path += "/" + Uri.EscapeDataString(container);
        }
        if (!string.IsNullOrEmpty(blobName))
        {
            path += "/" + BlobNames.EscapePath(blobName);
        }
        var parts = new List<string>();
        if (query is not null)
        {
            // Percent-encode every query value: an unencoded '=' or space in prefix/marker breaks the signature.
            parts.AddRange(query.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        }
        if (_options.SasQuery is { } sas)
        {
            parts.Add(sas);
        }
        return new Uri(parts.Count == 0 ? path : path + "?" + string.Join('&', parts));
    }

    /// <summary>Sends with retries; returns the final response (success or not) for the caller to interpret.</summary>
    public async Task<HttpResponseMessage> SendAsync(
        Func<HttpRequestMessage> createRequest, string operation, string resource, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(OperationKey, (operation, resource));
        try
        {
            var attempt = new Attempt(this, createRequest, completion);
            var outcome = await _retry.ExecuteOutcomeAsync(
                static async (ctx, state) => await state.SendOnceAsync(ctx.CancellationToken).ConfigureAwait(false),
                context,
                attempt).ConfigureAwait(false);
            if (outcome.Exception is { } exception)
            {
                if (exception is OperationCanceledException)
                {
                    outcome.ThrowIfException();
                }
                throw new BlobStorageException(
                    $"Blob {operation} '{resource}' failed after {attempt.Count} attempt(s): {exception.Message}", exception);
            }
            var response = outcome.Result!;
            Log.Completed(_logger, operation, resource, response.StatusCode);
            return response;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Throws the service's error as a <see cref="BlobStorageException"/> (disposing the response).</summary>
    public static async Task<BlobStorageException> ErrorAsync(HttpResponseMessage response, string operation, string resource, bool createOnly, CancellationToken cancellationToken)
    {
        using (response)
        {
            var code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.First() : string.Empty;
            var message = string.Empty;
            try
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (body.Length > 0 && body.Length < 64 * 1024)
                {
                    var error = XDocument.Parse(body).Root;
                    code = code.Length > 0 ? code : error?.Element("Code")?.Value ?? string.Empty;
                    // Only the first line: later lines carry request ids and, for auth failures, details we do not echo.
                    message = (error?.Element("Message")?.Value ?? string.Empty).Split('\n')[0].Trim();
                }
            }
            catch (System.Xml.XmlException)
            {
                // Not XML (a proxy's page, say): the status and code are enough.
            }
            var requestId = response.Headers.TryGetValues("x-ms-request-id", out var ids) ? ids.First() : null;
            var text = $"Blob {operation} '{resource}' failed: {(int)response.StatusCode} {(code.Length > 0 ? code : response.ReasonPhrase)}" +
                       (message.Length > 0 ? $": {message}" : string.Empty);
            if (createOnly && (code == BlobErrorCodes.BlobAlreadyExists || response.StatusCode == HttpStatusCode.PreconditionFailed ||
                               (response.StatusCode == HttpStatusCode.Conflict && code.Length == 0)))
            {
                return new BlobAlreadyExistsException(text, response.StatusCode, code.Length > 0 ? code : BlobErrorCodes.BlobAlreadyExists, requestId);
            }
            return new BlobStorageException(text, response.StatusCode, code, requestId);
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
        _tokenLock.Dispose();
    }

    private sealed record Attempt(BlobPipeline Pipeline, Func<HttpRequestMessage> CreateRequest, HttpCompletionOption Completion)
    {
        /// <summary>How many tries were made: not every failure is retried (a credential that cannot give a token is not).</summary>
        public int Count { get; private set; }

        public ValueTask<Outcome<HttpResponseMessage>> SendOnceAsync(CancellationToken cancellationToken)
        {
            Count++;
            return Pipeline.SendOnceAsync(CreateRequest, Completion, cancellationToken);
        }
    }

    private async ValueTask<Outcome<HttpResponseMessage>> SendOnceAsync(Func<HttpRequestMessage> createRequest, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = createRequest();
        request.Headers.TryAddWithoutValidation("x-ms-version", _options.ApiVersion);
        request.Headers.TryAddWithoutValidation("x-ms-date", _options.TimeProvider.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("x-ms-client-request-id", Guid.NewGuid().ToString());
        if (_options.SharedKey is { } sharedKey)
        {
            SharedKeySigner.Sign(request, sharedKey);
        }
        else if (_options.TokenCredential is { } credential)
        {
            var token = await GetTokenAsync(credential, cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.TryTimeout);
        try
        {
            var response = await _http.SendAsync(request, completion, timeout.Token).ConfigureAwait(false);
            return Outcome.FromResult(response);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return Outcome.FromException<HttpResponseMessage>(new TimeoutException($"no response within {_options.TryTimeout}", e));
        }
        catch (HttpRequestException e)
        {
            return Outcome.FromException<HttpResponseMessage>(e);
        }
    }

    private async ValueTask<string> GetTokenAsync(TokenCredential credential, CancellationToken cancellationToken)
    {
        // Refresh five minutes early so a token never expires in flight.
        var now = _options.TimeProvider.GetUtcNow();
        if (_token is { } cached && cached.ExpiresOn - TimeSpan.FromMinutes(5) > now)
        {
            return cached.Token;
        }
        await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is { } again && again.ExpiresOn - TimeSpan.FromMinutes(5) > now)
            {
                return again.Token;
            }
            var token = await credential.GetTokenAsync(new TokenRequestContext(StorageScope), cancellationToken).ConfigureAwait(false);
            _token = token;
            return token.Token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutException ||
        outcome.Result?.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var retryAfter = response?.Headers.RetryAfter;
        TimeSpan? delay = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - _options.TimeProvider.GetUtcNow() : null);
        if (delay is null)
        {
            return null;
        }
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }
}
