using System.Globalization;

namespace RetailEdge.DuckDb;

/// <summary>Start-up configuration of a DuckDB database (duckdb_set_config options).</summary>
public sealed record DuckDbDatabaseOptions
{
    /// <summary>Worker threads DuckDB may use; null keeps DuckDB's default (all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>DuckDB's memory_limit, e.g. "512MB" or "2GB"; null keeps the default (80% of RAM).</summary>
    public string? MemoryLimit { get; init; }

    /// <summary>Open the file read-only (access_mode=READ_ONLY), so several processes may read it.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Where DuckDB spills to disk (temp_directory); null keeps the default.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Any other option by DuckDB's name (see duckdb_settings()).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is invalid.</summary>
    public void Validate()
    {
        if (Threads is < 1 or > 1024)
        {
            throw new ArgumentException($"{nameof(Threads)} must be between 1 and 1024 (was {Threads}).", nameof(Threads));
        }
        if (MemoryLimit is not null && string.IsNullOrWhiteSpace(MemoryLimit))
        {
            throw new ArgumentException($"{nameof(MemoryLimit)} must not be blank (e.g. \"512MB\").", nameof(MemoryLimit));
        }
        foreach (var (name, value) in Settings)
        {
            if (string.IsNullOrWhiteSpace(name) || value is null || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"{nameof(Settings)} has an invalid entry '{name}'.", nameof(Settings));
            }
        }
    }

    /// <summary>All options as DuckDB name/value pairs.</summary>
    internal IEnumerable<KeyValuePair<string, string>> ToConfig()
    {
        if (Threads is { } threads)
        {
            yield return new("threads", threads.ToString(CultureInfo.InvariantCulture));
        }
        if (MemoryLimit is { } memoryLimit)
        {
            yield return new("memory_limit", memoryLimit);
        }
        if (ReadOnly)
        {
            yield return new("access_mode", "READ_ONLY");
        }
        if (TempDirectory is { } tempDirectory)
        {
            yield return new("temp_directory", tempDirectory);
        }
        foreach (var setting in Settings)
        {
            yield return setting;
        }
    }
}
