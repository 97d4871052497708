using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Twin;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// The module's side of the twin and methods (ARCHITECTURE.md §6, §8): applies desired settings
/// (a bad patch is rejected as a whole, reported as configError, and the last good settings stay),
/// applies reference data (inline chunks or a url+sha256 shoulder tap: size-limited download, hash
/// check, atomic switch; reported as referenceDataVersion or referenceDataError), answers direct
/// methods (flush, replay, status, setLogLevel), takes the edgeHub input <c>events</c>, and patches
/// reported properties at most every <see cref="ReportInterval"/> and only when they changed.
/// </summary>
public sealed class GatewayModule : IHubTransportHandler
{
    public const string EventsInput = "events";

    private readonly GatewayEngine _engine;
    private readonly IHubTransport _transport;
    private readonly HttpClient _http;
    private readonly LogLevelSwitch _logLevel;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _desiredGate = new(1, 1);
    private volatile string? _configError;
    private volatile string? _referenceDataError;
    private string? _lastReported;

    public GatewayModule(GatewayEngine engine, IHubTransport transport, HttpClient http, LogLevelSwitch logLevel, ILogger<GatewayModule>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(logLevel);
        _engine = engine;
        _transport = transport;
        _http = http;
        _logLevel = logLevel;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public static string ModuleVersion { get; } = typeof(GatewayModule).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The folder under which a <c>file:</c> reference url may point (the publisher's lake folder, mounted
    /// read-only); null refuses every file url, so a twin cannot make the module read an arbitrary file.
    /// </summary>
    public string? ReferenceDataFileRoot { get; init; }

    public string? ConfigError => _configError;

    public string? ReferenceDataError => _referenceDataError;

    public async Task OnDesiredPropertiesAsync(JsonElement desired, bool isFullDocument, CancellationToken cancellationToken)
    {
        await _desiredGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var error = await _engine.ApplyDesiredAsync(desired, cancellationToken).ConfigureAwait(false);
            _configError = error;
            if (error is null && desired.ValueKind == JsonValueKind.Object && desired.TryGetProperty("referenceData", out var reference) && reference.ValueKind != JsonValueKind.Null)
            {
                await ApplyReferenceDataAsync(reference, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _desiredGate.Release();
        }
    }

    public async Task<HubMethodResult> OnMethodAsync(string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        switch (name)
        {
            case "flush":
                var sealedCount = await _engine.FlushAsync(cancellationToken).ConfigureAwait(false);
                return Json(200, w => w.WriteNumber("sealed", sealedCount));
            case "replay":
                if (!TryReadRange(payload, out var from, out var to, out var rangeError))
                {
                    return Json(400, w => w.WriteString("error", rangeError));
                }
                var replayed = await _engine.ReplayAsync(from, to, cancellationToken).ConfigureAwait(false);
                return Json(200, w => w.WriteNumber("replayed", replayed));
            case "status":
                return new HubMethodResult(200, ReportedJson());
            case "setLogLevel":
                if (!TryReadLevel(payload, out var level))
                {
                    return Json(400, w => w.WriteString("error", "payload must be {\"level\":\"Trace|Debug|Information|Warning|Error|Critical\"}"));
                }
                _logLevel.Level = level;
                return Json(200, w => w.WriteString("level", level.ToString()));
            default:
                return Json(404, w => w.WriteString("error", "unknown method"));
        }
    }

    public async Task OnInputAsync(string input, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (input != EventsInput)
        {
            return;
        }
        await _engine.IngestAsync(EventPayload.Split(payload), IngestSources.EdgeHub, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The reported properties of ARCHITECTURE.md §6: the module's state for its twin, /health and the status method.</summary>
    public GatewayReportedProperties Reported()
    {
        var status = _engine.Status;
        return new GatewayReportedProperties
        {
            Version = ModuleVersion,
            Status = status.DiskFull ? "disk_full" : _configError is not null || status.OverBudget || !_transport.IsConnected ? "degraded" : "running",
            StartedAt = status.StartedAt,
            LastEventAt = status.LastEventAt,
            LastSentAt = status.LastSentAt,
            BufferedBatches = status.BufferedBatches,
            OldestUnsentAgeSeconds = status.OldestUnsentAgeSeconds,
            EventsPerMinute = status.EventsPerMinute,
            Rejected = status.Rejected,
            LateEvents = status.LateEvents,
            Dropped = status.Dropped,
            ReferenceDataVersion = status.ReferenceDataVersion,
            ReferenceDataError = _referenceDataError,
            ConfigError = _configError,
            DiskFreeMb = status.DiskFreeBytes < 0 ? -1 : status.DiskFreeBytes / (1024 * 1024),
        };
    }

    /// <summary><see cref="Reported"/> as a twin patch: the cleared values are written as null so the twin drops them.</summary>
    public byte[] ReportedJson() => JsonSerializer.SerializeToUtf8Bytes(Reported(), ContractsJsonContext.Default.GatewayReportedProperties);

    /// <summary>Patches reported properties when they changed, at most every <see cref="ReportInterval"/>.</summary>
    public async Task RunReporterAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await ReportIfChangedAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(ReportInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task<bool> ReportIfChangedAsync(CancellationToken cancellationToken)
    {
        var json = ReportedJson();
        var text = System.Text.Encoding.UTF8.GetString(json);
        if (text == _lastReported || !_transport.IsConnected)
        {
            return false;
        }
        try
        {
            await _transport.ReportAsync(json, cancellationToken).ConfigureAwait(false);
            _lastReported = text;
            return true;
        }
        catch (HubTransportException e)
        {
            Log.ReportFailed(_logger, e.Message);
            return false;
        }
    }

    private async Task ApplyReferenceDataAsync(JsonElement value, CancellationToken cancellationToken)
    {
        var (pointer, error) = ReferenceDataPointer.Parse(value);
        if (pointer is null)
        {
            Fail(error!);
            return;
        }
        if (pointer.Version == _engine.Status.ReferenceDataVersion)
        {
            _referenceDataError = null;
            return;
        }
        byte[] payload;
        try
        {
            payload = pointer.IsInline ? pointer.InlinePayload()!
                : pointer.Url!.IsFile ? await ReadFileAsync(pointer, cancellationToken).ConfigureAwait(false)
                : await DownloadAsync(pointer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or FormatException or UnauthorizedAccessException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Fail("download failed: " + e.Message);
            return;
        }
        if (!pointer.Verify(payload))
        {
            Fail($"payload does not match sha256/bytes of version {pointer.Version}");
            return;
        }
        try
        {
            await _engine.ApplyReferenceDataAsync(payload, pointer.Version, cancellationToken).ConfigureAwait(false);
            _referenceDataError = null;
        }
        catch (FormatException e)
        {
            Fail(e.Message);
        }
    }

    private void Fail(string error)
    {
        _referenceDataError = error;
        Log.ReferenceRejected(_logger, error);
    }

    private async Task<byte[]> DownloadAsync(ReferenceDataPointer pointer, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(pointer.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"status {(int)response.StatusCode}");
        }
        if (response.Content.Headers.ContentLength is { } length && length != pointer.Bytes)
        {
            throw new FormatException($"content length {length} differs from the announced {pointer.Bytes} bytes");
        }
        // Never read more than announced (+1 to detect a longer body).
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[pointer.Bytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }
        if (total != pointer.Bytes)
        {
            throw new FormatException($"downloaded {(total > pointer.Bytes ? "more than" : total.ToString(CultureInfo.InvariantCulture))} bytes, announced {pointer.Bytes}");
        }
        return buffer[..total];
    }

    /// <summary>
    /// Reads a set from a file url: only under <see cref="ReferenceDataFileRoot"/> (after resolving '..'),
    /// never through a symbolic link (it could point anywhere), and only when the file has the announced size.
    /// </summary>
    private async Task<byte[]> ReadFileAsync(ReferenceDataPointer pointer, CancellationToken cancellationToken)
    {
        if (ReferenceDataFileRoot is null)
        {
            throw new FormatException("file urls are not allowed on this gateway (no ReferenceDataFileRoot)");
        }
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(ReferenceDataFileRoot)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(pointer.Url!.LocalPath);
        if (!path.StartsWith(root, StringComparison.Ordinal))
        {
            throw new FormatException("the file url is outside the allowed reference data folder");
        }
        for (var part = new FileInfo(path) as FileSystemInfo; part is not null && part.FullName.Length >= root.Length; part = (part as FileInfo)?.Directory ?? (part as DirectoryInfo)?.Parent)
        {
            if (part.LinkTarget is not null)
            {
                throw new FormatException("the file url goes through a symbolic link");
            }
        }
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException("the reference data file does not exist");
        }
        if (info.Length != pointer.Bytes)
        {
            throw new FormatException($"the file has {info.Length} bytes, announced {pointer.Bytes}");
        }
        return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private static bool TryReadRange(ReadOnlyMemory<byte> payload, out long from, out long to, out string error)
    {
        from = to = 0;
        error = "payload must be {\"from\":<seq>,\"to\":<seq>} with 1 ≤ from ≤ to";
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("from", out var f) || f.ValueKind != JsonValueKind.Number || !f.TryGetInt64(out from)
                || !root.TryGetProperty("to", out var t) || t.ValueKind != JsonValueKind.Number || !t.TryGetInt64(out to))
            {
                return false;
            }
            return from >= 1 && to >= from;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadLevel(ReadOnlyMemory<byte> payload, out LogLevel level)
    {
        level = LogLevel.Information;
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("level", out var value) && value.ValueKind == JsonValueKind.String
                && Enum.TryParse(value.GetString(), ignoreCase: true, out level) && Enum.IsDefined(level) && level != LogLevel.None;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static HubMethodResult Json(int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        return new HubMethodResult(status, buffer.WrittenSpan.ToArray());
    }
}
