using System.Text.Json;
using RetailEdge.Delta;
using RetailEdge.Delta.Actions;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Lakehouse;

/// <summary>
/// What one snapshot of bronze.telemetry says about the routed files landed in it, from one pass over
/// its add actions' tags: every file name landed, and per name the contents (length, SHA-256) landed.
/// Files without the names tag (rewritten by compaction or written by another engine) are known from
/// their source_file column; files landed before contents were recorded are known by name only.
/// </summary>
public sealed class LandedSources
{
    private LandedSources(long? version, string? tableId, HashSet<string> names, Dictionary<string, List<LandedFile>> contents)
    {
        Version = version;
        TableId = tableId;
        Names = names;
        Contents = contents;
    }

    /// <summary>The bronze version read (null: no table yet).</summary>
    public long? Version { get; }

    /// <summary>The table's metadata id: a table deleted and created again is another table at the same version.</summary>
    public string? TableId { get; }

    /// <summary>Every source file name already in bronze.</summary>
    public IReadOnlySet<string> Names { get; }

    /// <summary>The contents landed per file name, in landing order, each once.</summary>
    public IReadOnlyDictionary<string, List<LandedFile>> Contents { get; }

    /// <summary>Whether these are the landed sources of <paramref name="snapshot"/> (nothing to read again).</summary>
    public bool IsOf(DeltaSnapshot? snapshot) => Version == snapshot?.Version && TableId == snapshot?.Metadata.Id;

    /// <summary>Reads the landed sources of <paramref name="snapshot"/> of <paramref name="bronze"/>.</summary>
    public static async Task<LandedSources> ReadAsync(LakeContext lake, LakeTable bronze, DeltaSnapshot? snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(bronze);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var contents = new Dictionary<string, List<LandedFile>>(StringComparer.Ordinal);
        if (snapshot is null)
        {
            return new LandedSources(null, null, names, contents);
        }
        var untagged = new List<AddAction>();
        foreach (var file in snapshot.Files)
        {
            if (file.Tags?.GetValueOrDefault(LakeTable.SourceFilesTag) is { } namesTag
                && JsonSerializer.Deserialize(namesTag, LakehouseJsonContext.Default.StringArray) is { } landedNames)
            {
                names.UnionWith(landedNames);
            }
            else
            {
                untagged.Add(file);
            }
            if (file.Tags?.GetValueOrDefault(Lander.SourceContentsTag) is { } contentsTag
                && JsonSerializer.Deserialize(contentsTag, LakehouseJsonContext.Default.LandedFileArray) is { } landed)
            {
                foreach (var entry in landed)
                {
                    if (!contents.TryGetValue(entry.Name, out var list))
                    {
                        contents[entry.Name] = list = [];
                    }
                    if (!list.Contains(entry))
                    {
                        list.Add(entry);
                    }
                }
            }
        }
        if (untagged.Count > 0)
        {
            using var connection = lake.Connect();
            var sql = await bronze.SelectSqlAsync(untagged, cancellationToken).ConfigureAwait(false);
            using var result = connection.Query($"SELECT DISTINCT source_file FROM ({sql})", cancellationToken);
            while (result.Read())
            {
                names.Add(result.GetString(0));
            }
        }
        return new LandedSources(snapshot.Version, snapshot.Metadata.Id, names, contents);
    }
}
