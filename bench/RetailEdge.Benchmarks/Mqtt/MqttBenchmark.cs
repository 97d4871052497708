using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RetailEdge.Mqtt;
using RetailEdge.Testing;

namespace RetailEdge.Benchmarks.Mqtt;

/// <summary>
/// Our MQTT client against a local mosquitto: QoS 1 publishes/s of 16 KB messages with PUBACK
/// (one at a time, then windows of several in flight), QoS 0 for comparison, and the round trip
/// publish → receive on a subscription (p50/p99). Also the pure codec's encode/decode rate.
/// Args: [messages, default 3000] [payload bytes, default 16384]. Needs /usr/sbin/mosquitto.
/// </summary>
public sealed class MqttBenchmark : IBenchmark
{
    public string Name => "mqtt";

    public string Description => "MQTT client vs local mosquitto: QoS1 16 KB publishes/s (window 1/16/64), QoS0, round-trip p50/p99, codec rate";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3000;
        var size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16 * 1024;
        var payload = new byte[size];
        new Random(42).NextBytes(payload);
        Console.WriteLine($"MQTT benchmark: {count:N0} messages of {size:N0} bytes, {Environment.ProcessorCount} cores");

        Codec(payload);

        // the shared test fixture: a real mosquitto on 127.0.0.1 and a free port, stopped by PID
        await using var broker = await MosquittoBroker.StartAsync("max_inflight_messages 0", cancellationToken).ConfigureAwait(false);
        var port = broker.Port;
        Console.WriteLine($"mosquitto on 127.0.0.1:{port}");
        var rate1 = await PublishRateAsync(port, payload, count, MqttQualityOfService.AtLeastOnce, window: 1, cancellationToken).ConfigureAwait(false);
        var rate16 = await PublishRateAsync(port, payload, count, MqttQualityOfService.AtLeastOnce, window: 16, cancellationToken).ConfigureAwait(false);
        var rate64 = await PublishRateAsync(port, payload, count, MqttQualityOfService.AtLeastOnce, window: 64, cancellationToken).ConfigureAwait(false);
        var rate0 = await PublishRateAsync(port, payload, count, MqttQualityOfService.AtMostOnce, window: 1, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"ratio QoS1 window 16 / window 1: {rate16 / rate1:F2}x; window 64 / window 1: {rate64 / rate1:F2}x; QoS0 / QoS1 window 1: {rate0 / rate1:F2}x");
        await RoundTripAsync(port, payload, Math.Min(count, 2000), cancellationToken).ConfigureAwait(false);
    }

    private static void Codec(byte[] payload)
    {
        var packet = new MqttPublishPacket { Topic = "devices/store017-gw/modules/StoreGateway/messages/events/%24.ct=application%2Fjson", Payload = payload, QualityOfService = MqttQualityOfService.AtLeastOnce, PacketId = 1 };
        var bytes = MqttPacketEncoder.Encode(packet);
        const int Rounds = 20_000;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Rounds; i++)
        {
            MqttPacketEncoder.Encode(packet);
        }
        var encode = watch.Elapsed;
        watch.Restart();
        for (var i = 0; i < Rounds; i++)
        {
            MqttPacketDecoder.TryDecode(bytes, int.MaxValue, out _, out _);
        }
        var decode = watch.Elapsed;
        Console.WriteLine($"codec: encode {Rounds / encode.TotalSeconds:N0} packets/s ({Rounds * (double)bytes.Length / encode.TotalSeconds / 1e6:N0} MB/s), decode {Rounds / decode.TotalSeconds:N0} packets/s ({Rounds * (double)bytes.Length / decode.TotalSeconds / 1e6:N0} MB/s)");
    }

    private static async Task<double> PublishRateAsync(int port, byte[] payload, int count, MqttQualityOfService qos, int window, CancellationToken cancellationToken)
    {
        await using var client = new MqttClient(Options(port, $"bench-pub-{window}-{(int)qos}") with { MaxInFlight = window });
        await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        if (window == 1)
        {
            for (var i = 0; i < count; i++)
            {
                await client.PublishAsync("bench/rate", payload, qos, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            // the client's in-flight limit is the window: the extra publishers wait for a slot
            var tasks = new Task[count];
            for (var i = 0; i < count; i++)
            {
                tasks[i] = client.PublishAsync("bench/rate", payload, qos, cancellationToken);
            }
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        var elapsed = watch.Elapsed;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var rate = count / elapsed.TotalSeconds;
        Console.WriteLine($"QoS{(int)qos} window {window,2}: {rate,9:N0} msg/s, {rate * payload.Length / 1e6,6:N1} MB/s, {elapsed.TotalMilliseconds / count * 1000,7:N0} µs/msg wall, {cpuUsed.TotalMilliseconds / count * 1000,6:N0} µs/msg client CPU");
        await client.DisconnectAsync(cancellationToken).ConfigureAwait(false);
        return rate;
    }

    private static async Task RoundTripAsync(int port, byte[] payload, int count, CancellationToken cancellationToken)
    {
        await using var subscriber = new MqttClient(Options(port, "bench-sub") with { AutoAcknowledge = true });
        await using var publisher = new MqttClient(Options(port, "bench-rt-pub"));
        await subscriber.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await publisher.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await subscriber.SubscribeAsync("bench/rt", MqttQualityOfService.AtLeastOnce, cancellationToken).ConfigureAwait(false);
        var samples = new double[count];
        for (var i = -50; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await publisher.PublishAsync("bench/rt", payload, MqttQualityOfService.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            await subscriber.Messages.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (i >= 0)
            {
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        Array.Sort(samples);
        Console.WriteLine($"round trip QoS1 publish → PUBACK and delivery to a subscriber ({count:N0} samples after 50 warm-up): p50 {BenchSupport.Percentile(samples, 0.50):F3} ms, p99 {BenchSupport.Percentile(samples, 0.99):F3} ms, max {samples[^1]:F3} ms");
    }


    private static MqttClientOptions Options(int port, string clientId) => new()
    {
        ClientId = clientId,
        ChannelFactory = new MqttTcpChannelFactory(new MqttTcpChannelOptions { Host = "127.0.0.1", Port = port, UseTls = false }),
        KeepAlive = TimeSpan.FromSeconds(30),
        MaxPendingMessages = 10_000,
    };


}
