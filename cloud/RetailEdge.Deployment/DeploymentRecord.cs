namespace RetailEdge.Deployment;

/// <summary>
/// Which deployment a device runs, kept as the device twin's tag <see cref="TagName"/> when
/// <c>retailedge deploy</c> applies a manifest (IoT Hub records its own configurations in the twin, a
/// per-device apply leaves no trace otherwise); <c>retailedge fleet status</c> shows it per store.
/// </summary>
public sealed record DeploymentRecord
{
    public const string TagName = "deployment";

    /// <summary>The deployment's name: <c>--name</c>, or one derived from the template and the --set values.</summary>
    public string? Id { get; init; }

    /// <summary>SHA-256 (hex) of the manifest the device got, so two devices can be compared without reading it.</summary>
    public string? ContentSha256 { get; init; }

    public DateTimeOffset? AppliedAt { get; init; }
}
