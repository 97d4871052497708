using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHubService;

/// <summary>
/// Client for IoT Hub's service REST API (api-version 2021-04-12): device and module twins
/// with ETags, twin queries with continuation, direct methods, and configuration content.
/// Thread-safe and meant to be long-lived. A 429 or 5xx answer is retried (bounded by
/// <see cref="IotHubServiceClientOptions.MaxRetries"/>), honouring Retry-After up to
/// <see cref="IotHubServiceClientOptions.MaxRetryDelay"/>; a method invocation is retried only
/// on 429, since after a 5xx the device may have run it. Errors are
/// <see cref="IotHubServiceException"/> carrying IoT Hub's error code and message.
/// </summary>
public sealed partial class IotHubServiceClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };
    private readonly IotHubServiceClientOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ILogger _logger;
    private readonly Uri _baseAddress;
    private readonly IotHubConnectionString? _connectionString;
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private string? _authorization;
    private DateTimeOffset _authorizationRenewAt;

    /// <param name="options">validated here; an invalid setting throws <see cref="ArgumentException"/></param>
    /// <param name="httpClient">a shared client (e.g. from IHttpClientFactory); one is created when null</param>
    public IotHubServiceClient(IotHubServiceClientOptions options, HttpClient? httpClient = null, ILogger<IotHubServiceClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        if (options.ConnectionString is not null)
        {
            if (!IotHubConnectionString.TryParse(options.ConnectionString, out var parsed, out var error))
            {
                throw new ArgumentException("IotHubServiceClientOptions.ConnectionString: " + error);
            }
            if (!parsed.IsServicePolicy)
            {
                throw new ArgumentException("IotHubServiceClientOptions.ConnectionString must be a service-policy connection string (SharedAccessKeyName=…).");
            }
            _connectionString = parsed;
        }
        HostName = _connectionString?.HostName ?? options.HostName!;
        var endpoint = options.Endpoint ?? new Uri("https://" + HostName + "/");
        _baseAddress = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The hub's host name.</summary>
    public string HostName { get; }

    public Task<Twin> GetModuleTwinAsync(string deviceId, string moduleId, CancellationToken cancellationToken = default) =>
        SendTwinAsync(HttpMethod.Get, ModulePath(deviceId, moduleId), null, null, cancellationToken);

    /// <summary>Merges <paramref name="desiredPatch"/> into the module's desired properties (null values delete).</summary>
    /// <param name="ifMatch">the ETag read before (412 → <see cref="IotHubServiceException"/> when it changed since), or null/"*" for any</param>
    public Task<Twin> UpdateModuleTwinAsync(string deviceId, string moduleId, JsonObject desiredPatch, string? ifMatch = null, CancellationToken cancellationToken = default) =>
        SendTwinAsync(HttpMethod.Patch, ModulePath(deviceId, moduleId), DesiredBody(desiredPatch, null), ifMatch, cancellationToken);

    /// <summary>Replaces the module's desired properties with <paramref name="desired"/>.</summary>
    public Task<Twin> ReplaceModuleTwinAsync(string deviceId, string moduleId, JsonObject desired, string? ifMatch = null, CancellationToken cancellationToken = default) =>
        SendTwinAsync(HttpMethod.Put, ModulePath(deviceId, moduleId), DesiredBody(desired, null), ifMatch, cancellationToken);

    public Task<Twin> GetDeviceTwinAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendTwinAsync(HttpMethod.Get, DevicePath(deviceId), null, null, cancellationToken);

    /// <summary>Merges a desired-properties patch and/or a tags patch into a device twin.</summary>
    public Task<Twin> UpdateDeviceTwinAsync(string deviceId, JsonObject? desiredPatch, JsonObject? tagsPatch = null, string? ifMatch = null, CancellationToken cancellationToken = default) =>
        SendTwinAsync(HttpMethod.Patch, DevicePath(deviceId), DesiredBody(desiredPatch, tagsPatch), ifMatch, cancellationToken);

    /// <summary>Replaces a device twin's desired properties and tags.</summary>
    public Task<Twin> ReplaceDeviceTwinAsync(string deviceId, JsonObject desired, JsonObject? tags = null, string? ifMatch = null, CancellationToken cancellationToken = default) =>
        SendTwinAsync(HttpMethod.Put, DevicePath(deviceId), DesiredBody(desired, tags ?? []), ifMatch, cancellationToken);

    /// <summary>One page of <c>POST /devices/query</c>; pass the returned token to get the next page.</summary>
    public async Task<TwinQueryPage> QueryPageAsync(string query, string? continuationToken = null, int? maxItemCount = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        if (maxItemCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxItemCount), "maxItemCount must be at least 1");
        }
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["query"] = query }.ToJsonString());
        using var response = await SendAsync(HttpMethod.Post, "devices/query", body, request =>
        {
            if (continuationToken is not null)
            {
                request.Headers.TryAddWithoutValidation("x-ms-continuation", continuationToken);
            }
            if (maxItemCount is not null)
            {
                request.Headers.TryAddWithoutValidation("x-ms-max-item-count", maxItemCount.Value.ToString(CultureInfo.InvariantCulture));
            }
        }, RetryKind.Idempotent, cancellationToken).ConfigureAwait(false);
        var node = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        if (node is not JsonArray array)
        {
            throw new IotHubServiceException("the query answer is not a JSON array");
        }
        var items = array.OfType<JsonObject>().Select(o => Twin.FromJson((JsonObject)o.DeepClone())).ToList();
        var next = response.Headers.TryGetValues("x-ms-continuation", out var values) ? values.FirstOrDefault() : null;
        return new TwinQueryPage(items, string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>Every twin matching the query, following continuation tokens page by page.</summary>
    public async IAsyncEnumerable<Twin> QueryTwinsAsync(string query, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? continuation = null;
        do
        {
            var page = await QueryPageAsync(query, continuation, pageSize, cancellationToken).ConfigureAwait(false);
            foreach (var twin in page.Items)
            {
                yield return twin;
            }
            continuation = page.ContinuationToken;
        }
        while (continuation is not null);
    }

    /// <summary>Invokes a direct method on a module; a device that is not connected gives 404 (DeviceNotOnline), no answer in time 504.</summary>
    public Task<MethodResult> InvokeModuleMethodAsync(string deviceId, string moduleId, MethodInvocation invocation, CancellationToken cancellationToken = default) =>
        InvokeAsync(ModulePath(deviceId, moduleId) + "/methods", invocation, cancellationToken);

    /// <summary>Invokes a direct method on a device.</summary>
    public Task<MethodResult> InvokeDeviceMethodAsync(string deviceId, MethodInvocation invocation, CancellationToken cancellationToken = default) =>
        InvokeAsync(DevicePath(deviceId) + "/methods", invocation, cancellationToken);

    /// <summary>Applies an IoT Edge deployment's <c>{"modulesContent":…}</c> to one device (204).</summary>
    public async Task ApplyConfigurationContentAsync(string deviceId, JsonObject content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var body = Encoding.UTF8.GetBytes(content.ToJsonString());
        using var response = await SendAsync(HttpMethod.Post, $"devices/{Escape(deviceId)}/applyConfigurationContent", body, null, RetryKind.Idempotent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates an IoT Edge configuration (automatic deployment), or updates its target condition and priority
    /// when <paramref name="ifMatch"/> is given: <c>{"id","content":{"modulesContent"},"targetCondition","priority","labels"}</c>.
    /// Returns the hub's view of it (with its etag and systemMetrics).
    /// </summary>
    public async Task<JsonObject> PutConfigurationAsync(string id, JsonObject configuration, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(configuration);
        var body = Encoding.UTF8.GetBytes(configuration.ToJsonString());
        using var response = await SendAsync(HttpMethod.Put, "configurations/" + Escape(id), body, request => AddIfMatch(request, ifMatch), RetryKind.Idempotent, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false) as JsonObject
            ?? throw new IotHubServiceException("the configuration answer is not a JSON object");
    }

    public async Task<JsonObject> GetConfigurationAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        using var response = await SendAsync(HttpMethod.Get, "configurations/" + Escape(id), null, null, RetryKind.Idempotent, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false) as JsonObject
            ?? throw new IotHubServiceException("the configuration answer is not a JSON object");
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
        _tokenGate.Dispose();
    }

    private async Task<MethodResult> InvokeAsync(string path, MethodInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentException.ThrowIfNullOrWhiteSpace(invocation.MethodName);
        var request = new JsonObject
        {
            ["methodName"] = invocation.MethodName,
            ["payload"] = invocation.Payload?.DeepClone(),
            ["responseTimeoutInSeconds"] = (int)invocation.ResponseTimeout.TotalSeconds,
            ["connectTimeoutInSeconds"] = (int)invocation.ConnectTimeout.TotalSeconds,
        };
        using var response = await SendAsync(HttpMethod.Post, path, Encoding.UTF8.GetBytes(request.ToJsonString()), null, RetryKind.ThrottledOnly, cancellationToken).ConfigureAwait(false);
        var node = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false) as JsonObject
            ?? throw new IotHubServiceException("the method answer is not a JSON object");
        var status = node["status"] is JsonValue s && s.TryGetValue<int>(out var value) ? value : 0;
        return new MethodResult(status, node["payload"]?.DeepClone());
    }

    private async Task<Twin> SendTwinAsync(HttpMethod method, string path, byte[]? body, string? ifMatch, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, body, request => AddIfMatch(request, ifMatch), RetryKind.Idempotent, cancellationToken).ConfigureAwait(false);
        var node = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false) as JsonObject
            ?? throw new IotHubServiceException("the twin answer is not a JSON object");
        return Twin.FromJson(node);
    }

    /// <summary>If-Match with the ETag quoted as the hub expects (an ETag read from a body comes unquoted).</summary>
    private static void AddIfMatch(HttpRequestMessage request, string? ifMatch)
    {
        if (!string.IsNullOrEmpty(ifMatch))
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch == "*" || ifMatch.StartsWith('"') ? ifMatch : "\"" + ifMatch + "\"");
        }
    }

    private static byte[] DesiredBody(JsonObject? desired, JsonObject? tags)
    {
        var body = new JsonObject();
        if (tags is not null)
        {
            body["tags"] = tags.DeepClone();
        }
        if (desired is not null)
        {
            body["properties"] = new JsonObject { ["desired"] = desired.DeepClone() };
        }
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    private enum RetryKind
    {
        Idempotent,
        ThrottledOnly,
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body, Action<HttpRequestMessage>? configure, RetryKind retryKind, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseAddress, path + "?api-version=" + Uri.EscapeDataString(_options.ApiVersion));
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.TryAddWithoutValidation("Authorization", await GetAuthorizationAsync(cancellationToken).ConfigureAwait(false));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = JsonMediaType;
            }
            configure?.Invoke(request);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (retryKind == RetryKind.Idempotent && attempt < _options.MaxRetries)
            {
                var wait = Backoff(attempt);
                LogRetry(_logger, method.Method, path, 0, attempt + 1, wait, ex.Message);
                await Task.Delay(wait, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            var status = (int)response.StatusCode;
            var retryable = status == 429 || (retryKind == RetryKind.Idempotent && status >= 500 && status != 501 && status != 505);
            if (retryable && attempt < _options.MaxRetries)
            {
                var wait = RetryAfter(response) ?? Backoff(attempt);
                if (wait > _options.MaxRetryDelay)
                {
                    wait = _options.MaxRetryDelay;
                }
                LogRetry(_logger, method.Method, path, status, attempt + 1, wait, response.ReasonPhrase ?? string.Empty);
                response.Dispose();
                await Task.Delay(wait, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }
            using (response)
            {
                throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var delay = _options.RetryDelay * Math.Pow(2, Math.Min(attempt, 16));
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is TimeSpan delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (retryAfter?.Date is DateTimeOffset date)
        {
            var wait = date - _options.TimeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private static async Task<IotHubServiceException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var errorName = response.Headers.TryGetValues("iothub-errorcode", out var names) ? names.FirstOrDefault() : null;
        int? errorCode = null;
        string? trackingId = null;
        var message = text.Length > 1024 ? text[..1024] : text;
        try
        {
            if (JsonNode.Parse(text) is JsonObject error)
            {
                // three shapes: {"errorCode":…,"trackingId":…,"message":…}; {"Message":"ErrorCode:<Name>;<text>",
                // "ExceptionMessage":"Tracking ID:…"}; and that wrapper around the first as a JSON string
                var legacy = ReadString(error, "Message");
                var inner = legacy is null ? null : TryParseObject(legacy);
                var source = inner ?? error;
                message = ReadString(source, "message") ?? legacy ?? message;
                if (inner is null && legacy is not null && legacy.StartsWith("ErrorCode:", StringComparison.Ordinal) && legacy.IndexOf(';', StringComparison.Ordinal) is > 10 and var separator)
                {
                    errorName ??= legacy[10..separator];
                    message = legacy[(separator + 1)..];
                }
                trackingId = ReadString(source, "trackingId") ?? ReadString(error, "ExceptionMessage");
                errorCode = source["errorCode"] is JsonValue code && code.TryGetValue<int>(out var number) ? number : null;
            }
        }
        catch (JsonException)
        {
        }
        return new IotHubServiceException(response.StatusCode, errorCode, errorName, trackingId, string.IsNullOrEmpty(message) ? response.ReasonPhrase ?? "no message" : message);
    }

    private static JsonObject? TryParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? ReadString(JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return bytes.Length == 0 ? null : JsonNode.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new IotHubServiceException($"IoT Hub answered {(int)response.StatusCode} with a body that is not JSON", ex);
        }
    }

    private async Task<string> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        var now = _options.TimeProvider.GetUtcNow();
        if (_authorization is not null && now < _authorizationRenewAt)
        {
            return _authorization;
        }
        await _tokenGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            now = _options.TimeProvider.GetUtcNow();
            if (_authorization is not null && now < _authorizationRenewAt)
            {
                return _authorization;
            }
            if (_connectionString is not null)
            {
                var expiry = now + _options.SasTokenTimeToLive;
                _authorization = SharedAccessSignature.Create(_connectionString.HostName, _connectionString.SharedAccessKey, expiry.ToUnixTimeSeconds(), _connectionString.SharedAccessKeyName);
                _authorizationRenewAt = now + (_options.SasTokenTimeToLive * 0.85);
            }
            else
            {
                var token = await _options.Credential!.GetTokenAsync(new TokenRequestContext([IotHubServiceClientOptions.BearerScope]), cancellationToken).ConfigureAwait(false);
                _authorization = "Bearer " + token.Token;
                var lifetime = token.ExpiresOn - now;
                _authorizationRenewAt = now + (lifetime * 0.85);
            }
            return _authorization;
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    private static string DevicePath(string deviceId) => "twins/" + Escape(deviceId);

    private static string ModulePath(string deviceId, string moduleId) => DevicePath(deviceId) + "/modules/" + Escape(moduleId);

    private static string Escape(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return Uri.EscapeDataString(id);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "IoT Hub {Method} {Path} answered {Status}; retry {Attempt} in {Delay}: {Reason}")]
    private static partial void LogRetry(ILogger logger, string method, string path, int status, int attempt, TimeSpan delay, string reason);
}
