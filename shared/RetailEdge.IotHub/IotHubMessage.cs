using System.Globalization;
using System.Text;

namespace RetailEdge.IotHub;

/// <summary>
/// A telemetry or input message: body bytes, the system properties IoT Hub knows (<c>$.mid</c>,
/// <c>$.cid</c>, <c>$.ct</c>, <c>$.ce</c>, <c>$.ctime</c>, <c>$.exp</c>, <c>$.uid</c>, <c>$.on</c>)
/// and application properties. Immutable; property-bag encoding and decoding are pure.
/// </summary>
public sealed class IotHubMessage
{
    /// <summary>PROTOCOLS.md: edgeHub rejects a message whose body plus property names and values exceed 256 KB.</summary>
    public const int MaxSize = 256 * 1024;

    /// <summary>Longest message id IoT Hub accepts (ASCII).</summary>
    public const int MaxMessageIdLength = 128;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    /// <summary>Creates a message with a body.</summary>
    public IotHubMessage(ReadOnlyMemory<byte> body)
    {
        Body = body;
    }

    /// <summary>The payload.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary><c>$.mid</c>.</summary>
    public string? MessageId { get; init; }

    /// <summary><c>$.cid</c>.</summary>
    public string? CorrelationId { get; init; }

    /// <summary><c>$.ct</c>, e.g. <c>application/json</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary><c>$.ce</c>, e.g. <c>utf-8</c> or <c>gzip</c>.</summary>
    public string? ContentEncoding { get; init; }

    /// <summary><c>$.ctime</c>.</summary>
    public DateTimeOffset? CreationTimeUtc { get; init; }

    /// <summary><c>$.exp</c>.</summary>
    public DateTimeOffset? ExpiryTimeUtc { get; init; }

    /// <summary><c>$.uid</c>.</summary>
    public string? UserId { get; init; }

    /// <summary><c>$.on</c>: the module output the message leaves by (set from <c>SendEventAsync</c>'s output name).</summary>
    public string? OutputName { get; init; }

    /// <summary>Application properties (names must not start with <c>$.</c>).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = Empty;

    /// <summary>Other system properties seen on a received message (e.g. <c>$.cdid</c>, <c>$.cmid</c>).</summary>
    public IReadOnlyDictionary<string, string> OtherSystemProperties { get; init; } = Empty;

    /// <summary>
    /// The size edgeHub counts: body + UTF-8 bytes of every property name and value (system and
    /// application). Compared with <see cref="MaxSize"/> before sending.
    /// </summary>
    public int GetSize()
    {
        long size = Body.Length;
        foreach (var (key, value) in EnumerateProperties())
        {
            size += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }
        return (int)Math.Min(size, int.MaxValue);
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the message cannot be sent (size, message id, reserved names).</summary>
    public void Validate()
    {
        if (MessageId is not null && (MessageId.Length is 0 or > MaxMessageIdLength || !MessageId.All(char.IsAscii)))
        {
            throw new ArgumentException($"MessageId must be 1-{MaxMessageIdLength} ASCII characters", nameof(MessageId));
        }
        foreach (var key in Properties.Keys)
        {
            if (string.IsNullOrEmpty(key) || IotHubSystemProperties.IsSystemProperty(key))
            {
                throw new ArgumentException($"application property name '{key}' is empty or uses the reserved '$.' prefix", nameof(Properties));
            }
        }
        var size = GetSize();
        if (size > MaxSize)
        {
            throw new MessageTooLargeException(size, MaxSize);
        }
    }

    /// <summary>The URL-encoded property bag: system properties first, then application properties.</summary>
    public string ToPropertyBag() => PropertyBag.Encode(EnumerateProperties());

    /// <summary>
    /// Builds a message from a received body and property bag (the last topic segment). Returns
    /// false with a reason when the bag is malformed; the caller keeps the raw input.
    /// </summary>
    public static bool TryFromPropertyBag(ReadOnlyMemory<byte> body, ReadOnlySpan<char> bag, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IotHubMessage? message, out string error)
    {
        message = null;
        if (!PropertyBag.TryDecode(bag, out var properties, out error))
        {
            return false;
        }
        var application = new Dictionary<string, string>(StringComparer.Ordinal);
        var other = new Dictionary<string, string>(StringComparer.Ordinal);
        string? mid = null, cid = null, ct = null, ce = null, uid = null, on = null;
        DateTimeOffset? ctime = null, exp = null;
        foreach (var (key, value) in properties)
        {
            switch (key)
            {
                case IotHubSystemProperties.MessageId: mid = value; break;
                case IotHubSystemProperties.CorrelationId: cid = value; break;
                case IotHubSystemProperties.ContentType: ct = value; break;
                case IotHubSystemProperties.ContentEncoding: ce = value; break;
                case IotHubSystemProperties.UserId: uid = value; break;
                case IotHubSystemProperties.OutputName: on = value; break;
                case IotHubSystemProperties.CreationTimeUtc when TryParseTime(value, out var t): ctime = t; break;
                case IotHubSystemProperties.ExpiryTimeUtc when TryParseTime(value, out var t): exp = t; break;
                default:
                    (IotHubSystemProperties.IsSystemProperty(key) ? other : application)[key] = value;
                    break;
            }
        }
        message = new IotHubMessage(body)
        {
            MessageId = mid,
            CorrelationId = cid,
            ContentType = ct,
            ContentEncoding = ce,
            UserId = uid,
            OutputName = on,
            CreationTimeUtc = ctime,
            ExpiryTimeUtc = exp,
            Properties = application,
            OtherSystemProperties = other,
        };
        return true;
    }

    /// <summary>A copy with a different output name (<c>$.on</c>).</summary>
    public IotHubMessage WithOutputName(string? outputName) => new(Body)
    {
        MessageId = MessageId,
        CorrelationId = CorrelationId,
        ContentType = ContentType,
        ContentEncoding = ContentEncoding,
        CreationTimeUtc = CreationTimeUtc,
        ExpiryTimeUtc = ExpiryTimeUtc,
        UserId = UserId,
        OutputName = outputName,
        Properties = Properties,
        OtherSystemProperties = OtherSystemProperties,
    };

    private IEnumerable<KeyValuePair<string, string>> EnumerateProperties()
    {
        if (MessageId is not null)
        {
            yield return new(IotHubSystemProperties.MessageId, MessageId);
        }
        if (CorrelationId is not null)
        {
            yield return new(IotHubSystemProperties.CorrelationId, CorrelationId);
        }
        if (ContentType is not null)
        {
            yield return new(IotHubSystemProperties.ContentType, ContentType);
        }
        if (ContentEncoding is not null)
        {
            yield return new(IotHubSystemProperties.ContentEncoding, ContentEncoding);
        }
        if (CreationTimeUtc is { } ctime)
        {
            yield return new(IotHubSystemProperties.CreationTimeUtc, FormatTime(ctime));
        }
        if (ExpiryTimeUtc is { } exp)
        {
            yield return new(IotHubSystemProperties.ExpiryTimeUtc, FormatTime(exp));
        }
        if (UserId is not null)
        {
            yield return new(IotHubSystemProperties.UserId, UserId);
        }
        if (OutputName is not null)
        {
            yield return new(IotHubSystemProperties.OutputName, OutputName);
        }
        foreach (var pair in OtherSystemProperties)
        {
            yield return pair;
        }
        foreach (var pair in Properties)
        {
            yield return pair;
        }
    }

    private static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static bool TryParseTime(string value, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
