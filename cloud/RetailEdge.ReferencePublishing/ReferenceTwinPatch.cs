using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Contracts;
using RetailEdge.Contracts.Reference;

namespace RetailEdge.ReferencePublishing;

/// <summary>
/// Decides whether a module twin's <c>referenceData</c> desired property must change for a store's
/// set, and builds the merge patch that changes it. A twin PATCH merges objects, so the patch also
/// deletes (null) what the previous pointer had and the new one does not: leftover chunks after a
/// smaller inline set, or <c>chunks</c> when a set moves to a url.
/// </summary>
public static class ReferenceTwinPatch
{
    public const string PropertyName = "referenceData";

    /// <param name="desired">the twin's desired properties as read (with its ETag)</param>
    /// <param name="now">to see whether a url's SAS expires before <paramref name="renewUrlsBefore"/> from now</param>
    public static ReferenceTwinDecision Decide(StoreReferenceSet set, JsonObject desired, DateTimeOffset now, TimeSpan renewUrlsBefore)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(desired);
        if (desired[PropertyName] is not { } current || current.GetValueKind() == JsonValueKind.Null)
        {
            return new ReferenceTwinDecision(true, null, "no reference data yet");
        }
        using var document = JsonDocument.Parse(current.ToJsonString());
        var (pointer, error) = ReferenceDataPointer.Parse(document.RootElement);
        if (pointer is null)
        {
            return new ReferenceTwinDecision(true, null, "the twin's referenceData is not valid (" + error + ")");
        }
        if (pointer.Version != set.Version || !string.Equals(pointer.Sha256, set.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return new ReferenceTwinDecision(true, pointer.Version, $"version {pointer.Version} → {set.Version}");
        }
        if (pointer.Url is { } url && SasExpiry(url) is { } expiry && expiry - now < renewUrlsBefore)
        {
            // an offline gateway that comes back after the expiry would get 403: hand out a fresh url in time
            return new ReferenceTwinDecision(true, pointer.Version, $"url expires {expiry:u}; renewed");
        }
        return new ReferenceTwinDecision(false, pointer.Version, "up to date");
    }

    /// <summary>The patch carrying <paramref name="pointer"/>, with nulls for what <paramref name="desired"/>'s old pointer has and the new one lacks.</summary>
    public static JsonObject Build(ReferenceDataPointer pointer, JsonObject desired)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        ArgumentNullException.ThrowIfNull(desired);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, ContractsJson.WriterOptions))
        {
            pointer.WriteTo(writer);
        }
        var value = (JsonObject)JsonNode.Parse(buffer.WrittenSpan)!;
        if (desired[PropertyName] is JsonObject previous)
        {
            DeleteMissing(previous, value);
        }
        return new JsonObject { [PropertyName] = value };
    }

    /// <summary>The desired properties as they will be after the hub merges <paramref name="patch"/> (null deletes), for <see cref="TwinLimits.Check"/>.</summary>
    public static JsonObject Merge(JsonObject desired, JsonObject patch)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(patch);
        var merged = (JsonObject)desired.DeepClone();
        MergeInto(merged, patch);
        return merged;
    }

    /// <summary>The <c>se</c> (signed expiry) of a SAS url; null when the url has none.</summary>
    public static DateTimeOffset? SasExpiry(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        foreach (var part in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = part.IndexOf('=', StringComparison.Ordinal);
            if (separator > 0 && part[..separator] == "se"
                && DateTimeOffset.TryParse(Uri.UnescapeDataString(part[(separator + 1)..]), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry))
            {
                return expiry;
            }
        }
        return null;
    }

    private static void DeleteMissing(JsonObject previous, JsonObject next)
    {
        foreach (var (key, old) in previous)
        {
            if (key.StartsWith('$'))
            {
                continue;
            }
            if (!next.ContainsKey(key))
            {
                next[key] = null;
            }
            else if (old is JsonObject oldChild && next[key] is JsonObject nextChild)
            {
                DeleteMissing(oldChild, nextChild);
            }
        }
    }

    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                MergeInto(existing, child);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }
}
