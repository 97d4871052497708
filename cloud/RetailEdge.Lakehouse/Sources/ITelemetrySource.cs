namespace RetailEdge.Lakehouse;

/// <summary>
/// Where IoT Hub message routing writes: `{hub}/{partition}/{YYYY}/{MM}/{DD}/{HH}/{mm}[ext]`.
/// Implementations list every complete file (never assuming partitions or times: late files
/// appear in old folders) and open one file for reading (a stream: files can be large).
/// </summary>
public interface ITelemetrySource
{
    /// <summary>For messages; never contains credentials.</summary>
    string Description { get; }

    Task<IReadOnlyList<RoutedFile>> ListAsync(CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(RoutedFile file, CancellationToken cancellationToken);
}
