using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>
/// Which protocol versions and table features this library reads and writes (PROTOCOL.md
/// "Protocol Evolution", "Table Features"). Anything else is refused with the feature named.
/// </summary>
public static class DeltaProtocolSupport
{
    /// <summary>Reader features of reader version 3 that this library implements (none change how rows are read).</summary>
    public static IReadOnlySet<string> SupportedReaderFeatures { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Writer features of writer version 7 that this library honours when writing.</summary>
    public static IReadOnlySet<string> SupportedWriterFeatures { get; } = new HashSet<string>(StringComparer.Ordinal) { "appendOnly" };

    /// <summary>Throws <see cref="DeltaUnsupportedFeatureException"/> when rows could not be read correctly.</summary>
    public static void EnsureReadable(ProtocolAction protocol, MetadataAction? metadata)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        switch (protocol.MinReaderVersion)
        {
            case 1:
                break;
            case 2:
                // reader version 2 exists for column mapping (physical column names differ)
                throw new DeltaUnsupportedFeatureException("columnMapping",
                    "table requires reader version 2 (columnMapping), which is not supported");
            case 3:
                foreach (var feature in protocol.ReaderFeatures ?? [])
                {
                    if (!SupportedReaderFeatures.Contains(feature))
                    {
                        throw new DeltaUnsupportedFeatureException(feature,
                            $"table requires reader feature '{feature}', which is not supported");
                    }
                }
                break;
            default:
                throw new DeltaUnsupportedFeatureException("readerVersion",
                    $"table requires reader version {protocol.MinReaderVersion} (readerVersion); versions 1 and 3 (without unsupported features) are supported");
        }
        if (metadata is not null
            && metadata.Configuration.TryGetValue("delta.columnMapping.mode", out var mode)
            && mode is not null && !mode.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            throw new DeltaUnsupportedFeatureException("columnMapping",
                $"table uses column mapping mode '{mode}', which is not supported");
        }
    }

    /// <summary>Throws when this library must not write to a table with this protocol.</summary>
    public static void EnsureWritable(ProtocolAction protocol, MetadataAction? metadata)
    {
        EnsureReadable(protocol, metadata);
        if (protocol.MinWriterVersion <= 2)
        {
            return;
        }
        if (protocol.MinWriterVersion == 7)
        {
            foreach (var feature in protocol.WriterFeatures ?? [])
            {
                if (!SupportedWriterFeatures.Contains(feature))
                {
                    throw new DeltaUnsupportedFeatureException(feature,
                        $"table requires writer feature '{feature}', which this writer does not implement");
                }
            }
            return;
        }
        var named = protocol.MinWriterVersion switch
        {
            3 => "checkConstraints",
            4 => "changeDataFeed",
            5 => "columnMapping",
            6 => "identityColumns",
            _ => "writerVersion",
        };
        throw new DeltaUnsupportedFeatureException(named,
            $"table requires writer version {protocol.MinWriterVersion} ({named}); this writer supports version 2 and 7 with appendOnly");
    }

    /// <summary>True when the table only accepts appends (delta.appendOnly or the appendOnly feature).</summary>
    public static bool IsAppendOnly(MetadataAction metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Configuration.TryGetValue("delta.appendOnly", out var v)
            && string.Equals(v, "true", StringComparison.OrdinalIgnoreCase);
    }
}
