using RetailEdge.ReferencePublishing;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// Where a reference set too large for its twin is written (named by its SHA-256, so stores with the
/// same set share one file), and the url the gateway fetches it from.
/// </summary>
public interface IReferenceSetStore
{
    /// <summary>Writes the set when it is not there yet and returns a url a gateway can read it from.</summary>
    Task<Uri> PutAsync(StoreReferenceSet set, CancellationToken cancellationToken);
}
