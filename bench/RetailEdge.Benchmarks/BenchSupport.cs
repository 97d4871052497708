using MQTTnet;

namespace RetailEdge.Benchmarks;

/// <summary>Helpers the network benchmarks share.</summary>
internal static class BenchSupport
{
    /// <summary>The p-th percentile (0..1) of an ascending array, nearest-rank.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];

    /// <summary>
    /// Publishes <paramref name="message"/> <paramref name="count"/> times with at most
    /// <paramref name="window"/> awaiting their PUBACK: MQTTnet has no in-flight limit of its own.
    /// </summary>
    public static async Task PublishInWindowAsync(IMqttClient client, MqttApplicationMessage message, int count, int window, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(window, window);
        var tasks = new Task[count];
        for (var i = 0; i < count; i++)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            tasks[i] = PublishAndReleaseAsync(client, message, slots, cancellationToken);
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static async Task PublishAndReleaseAsync(IMqttClient client, MqttApplicationMessage message, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }
}
