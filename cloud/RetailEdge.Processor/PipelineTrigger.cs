namespace RetailEdge.Processor;

/// <summary>
/// Wakes the pipeline loop early: the Event Hubs source pulses it after each bronze commit, so new
/// events are refined and reach gold within seconds instead of at the next poll.
/// </summary>
public sealed class PipelineTrigger : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Bronze moved on: the next wait returns at once (pulses while a pass runs fold into one).</summary>
    public void Pulse()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // a pass is already due
        }
    }

    /// <summary>Waits for a pulse or <paramref name="timeout"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
