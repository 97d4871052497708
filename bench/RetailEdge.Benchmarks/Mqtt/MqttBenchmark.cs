using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RetailEdge.Testing;

namespace RetailEdge.Benchmarks.Mqtt;

/// <summary>
/// The MQTTnet client against a local mosquitto: QoS 1 publishes/s of 16 KB messages with PUBACK
/// (one at a time, then windows of several in flight), QoS 0 for comparison, and the round trip
/// publish → receive on a subscription (p50/p99).
/// Args: [messages, default 3000] [payload bytes, default 16384]. Needs /usr/sbin/mosquitto.
/// </summary>
public sealed class MqttBenchmark : IBenchmark
{
    public string Name => "mqtt";

    public string Description => "MQTTnet client vs local mosquitto: QoS1 16 KB publishes/s (window 1/16/64), QoS0, round-trip p50/p99";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3000;
        var size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16 * 1024;
        var payload = new byte[size];
        new Random(42).NextBytes(payload);
        Console.WriteLine($"MQTT benchmark: {count:N0} messages of {size:N0} bytes, {Environment.ProcessorCount} cores");

        // the shared test fixture: a real mosquitto on 127.0.0.1 and a free port, stopped by PID
        await using var broker = await MosquittoBroker.StartAsync("max_inflight_messages 0", cancellationToken).ConfigureAwait(false);
        var port = broker.Port;
        Console.WriteLine($"mosquitto on 127.0.0.1:{port}");
        var rate1 = await PublishRateAsync(port, payload, count, MqttQualityOfServiceLevel.AtLeastOnce, window: 1, cancellationToken).ConfigureAwait(false);
        var rate16 = await PublishRateAsync(port, payload, count, MqttQualityOfServiceLevel.AtLeastOnce, window: 16, cancellationToken).ConfigureAwait(false);
        var rate64 = await PublishRateAsync(port, payload, count, MqttQualityOfServiceLevel.AtLeastOnce, window: 64, cancellationToken).ConfigureAwait(false);
        var rate0 = await PublishRateAsync(port, payload, count, MqttQualityOfServiceLevel.AtMostOnce, window: 1, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"ratio QoS1 window 16 / window 1: {rate16 / rate1:F2}x; window 64 / window 1: {rate64 / rate1:F2}x; QoS0 / QoS1 window 1: {rate0 / rate1:F2}x");
        await RoundTripAsync(port, payload, Math.Min(count, 2000), cancellationToken).ConfigureAwait(false);
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload, MqttQualityOfServiceLevel qos) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build();

    private static async Task<double> PublishRateAsync(int port, byte[] payload, int count, MqttQualityOfServiceLevel qos, int window, CancellationToken cancellationToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Options(port, $"bench-pub-{window}-{(int)qos}"), cancellationToken).ConfigureAwait(false);
        var message = Message("bench/rate", payload, qos);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        if (window == 1)
        {
            for (var i = 0; i < count; i++)
            {
                await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await BenchSupport.PublishInWindowAsync(client, message, count, window, cancellationToken).ConfigureAwait(false);
        }
        var elapsed = watch.Elapsed;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var rate = count / elapsed.TotalSeconds;
        Console.WriteLine($"QoS{(int)qos} window {window,2}: {rate,9:N0} msg/s, {rate * payload.Length / 1e6,6:N1} MB/s, {elapsed.TotalMilliseconds / count * 1000,7:N0} µs/msg wall, {cpuUsed.TotalMilliseconds / count * 1000,6:N0} µs/msg client CPU");
        await client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken).ConfigureAwait(false);
        return rate;
    }

    private static async Task RoundTripAsync(int port, byte[] payload, int count, CancellationToken cancellationToken)
    {
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        using var publisher = new MqttClientFactory().CreateMqttClient();
        var received = Channel.CreateUnbounded<bool>();
        subscriber.ApplicationMessageReceivedAsync += _ =>
        {
            received.Writer.TryWrite(true);
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(Options(port, "bench-sub"), cancellationToken).ConfigureAwait(false);
        await publisher.ConnectAsync(Options(port, "bench-rt-pub"), cancellationToken).ConfigureAwait(false);
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("bench/rt", MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
        var message = Message("bench/rt", payload, MqttQualityOfServiceLevel.AtLeastOnce);
        var samples = new double[count];
        for (var i = -50; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await publisher.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            await received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (i >= 0)
            {
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        Array.Sort(samples);
        Console.WriteLine($"round trip QoS1 publish → PUBACK and delivery to a subscriber ({count:N0} samples after 50 warm-up): p50 {BenchSupport.Percentile(samples, 0.50):F3} ms, p99 {BenchSupport.Percentile(samples, 0.99):F3} ms, max {samples[^1]:F3} ms");
    }

    private static MqttClientOptions Options(int port, string clientId) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .Build();
}
