using System.Globalization;

namespace RetailEdge.Delta;

/// <summary>A classified `_delta_log` entry (PROTOCOL.md "Delta Log Entries", "Checkpoints").</summary>
public sealed record DeltaLogFile(string Name, DeltaLogFileKind Kind, long Version, int Part = 1, int Parts = 1)
{
    public const string LogFolder = "_delta_log";

    public const string LastCheckpointName = "_last_checkpoint";

    public static string CommitName(long version) =>
        version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    public static string CheckpointName(long version) =>
        version.ToString("D20", CultureInfo.InvariantCulture) + ".checkpoint.parquet";

    public static string CheckpointPartName(long version, int part, int parts) =>
        string.Create(CultureInfo.InvariantCulture, $"{version:D20}.checkpoint.{part:D10}.{parts:D10}.parquet");

    /// <summary>Classifies a file name (no folder). Names that are not log entries give <see cref="DeltaLogFileKind.Other"/>.</summary>
    public static DeltaLogFile Classify(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == LastCheckpointName)
        {
            return new DeltaLogFile(name, DeltaLogFileKind.LastCheckpoint, -1);
        }
        // Hadoop checksum side files start with '.', and .crc version checksums end in .crc: both ignored
        if (name.Length < 21 || name[0] == '.' || !IsDigits(name.AsSpan(0, 20)) || name[20] != '.')
        {
            return new DeltaLogFile(name, DeltaLogFileKind.Other, -1);
        }
        var version = long.Parse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture);
        var rest = name.AsSpan(21);
        if (rest.SequenceEqual("json"))
        {
            return new DeltaLogFile(name, DeltaLogFileKind.Commit, version);
        }
        if (rest.SequenceEqual("checkpoint.parquet"))
        {
            return new DeltaLogFile(name, DeltaLogFileKind.Checkpoint, version);
        }
        // checkpoint.{part:010}.{parts:010}.parquet
        if (rest.Length == "checkpoint.".Length + 10 + 1 + 10 + ".parquet".Length
            && rest.StartsWith("checkpoint.")
            && rest.EndsWith(".parquet")
            && IsDigits(rest.Slice(11, 10)) && rest[21] == '.' && IsDigits(rest.Slice(22, 10)))
        {
            var part = int.Parse(rest.Slice(11, 10), NumberStyles.None, CultureInfo.InvariantCulture);
            var parts = int.Parse(rest.Slice(22, 10), NumberStyles.None, CultureInfo.InvariantCulture);
            if (part >= 1 && parts >= 1 && part <= parts)
            {
                return new DeltaLogFile(name, DeltaLogFileKind.CheckpointPart, version, part, parts);
            }
        }
        return new DeltaLogFile(name, DeltaLogFileKind.Other, version);
    }

    private static bool IsDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return true;
    }
}
