using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Aggregation;

/// <summary>Rejected events since the last data batch: counts by reason, a few truncated samples, their quarantine tags.</summary>
internal sealed class RejectTally
{
    private readonly Dictionary<string, int> _byReason = new(StringComparer.Ordinal);
    private readonly List<string> _samples = new();
    private readonly List<long> _tags = new();
    private int _count;

    /// <summary>When the oldest reject not yet summarised was received.</summary>
    public DateTimeOffset? Since { get; private set; }

    public bool IsEmpty => _count == 0;

    public void Add(string reason, string? rawSample, DateTimeOffset receivedAt, long tag)
    {
        _count++;
        _byReason[reason] = _byReason.GetValueOrDefault(reason) + 1;
        if (rawSample is not null && _samples.Count < RejectSummary.MaxSamples)
        {
            _samples.Add(rawSample.Length > RejectSummary.MaxSampleChars ? rawSample[..RejectSummary.MaxSampleChars] : rawSample);
        }
        _tags.Add(tag);
        Since ??= receivedAt;
    }

    /// <summary>The summary and tags so far; the tally starts again empty.</summary>
    public (RejectSummary Summary, long[] Tags) Take()
    {
        var taken = _count == 0
            ? (RejectSummary.Empty, Array.Empty<long>())
            : (new RejectSummary(_count, new Dictionary<string, int>(_byReason, StringComparer.Ordinal), [.. _samples]), _tags.ToArray());
        _count = 0;
        _byReason.Clear();
        _samples.Clear();
        _tags.Clear();
        Since = null;
        return taken;
    }
}
