namespace RetailEdge.HubEmulator.Registry;

/// <summary>
/// What a registry PUT may set on a device or module: keys (null or empty: generated for a new
/// identity, kept for an existing one), status ("enabled"/"disabled", devices only) and the
/// IoT Edge capability (devices only).
/// </summary>
public sealed record IdentitySettings
{
    public const string Enabled = "enabled";
    public const string Disabled = "disabled";

    public string? PrimaryKey { get; init; }

    public string? SecondaryKey { get; init; }

    public string? Status { get; init; }

    public bool? IotEdge { get; init; }
}
