using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RetailEdge.IotHub;
using MQTTnet;
using MQTTnet.Protocol;
using RetailEdge.IotHub.Credentials;
using RetailEdge.Testing;

namespace RetailEdge.Benchmarks.IotHub;

/// <summary>
/// The IoT Hub layer: SAS create/validate and property-bag encode/decode rates (pure), then
/// IotHubModuleClient.SendEventAsync of 16 KB telemetry to a local mosquitto with PUBACK, one at a
/// time (with p50/p99 latency) and with 16 in flight, compared with the raw MQTTnet client to show the
/// layer's overhead. Args: [messages, default 3000] [payload bytes, default 16384]. Needs /usr/sbin/mosquitto.
/// </summary>
public sealed class IotHubBenchmark : IBenchmark
{
    private const string Key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    public string Name => "iothub";

    public string Description => "IoT Hub layer: SAS create/validate/s, property bags/s, SendEventAsync 16 KB QoS1 to mosquitto (window 1 p50/p99, window 16) vs raw MQTT";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3000;
        var size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16 * 1024;
        var payload = new byte[size];
        new Random(42).NextBytes(payload);
        Console.WriteLine($"IoT Hub benchmark: {count:N0} messages of {size:N0} bytes, {Environment.ProcessorCount} cores");

        Pure();

        // the shared test fixture: a real mosquitto on 127.0.0.1 and a free port, stopped by PID
        await using var broker = await MosquittoBroker.StartAsync("max_inflight_messages 0", cancellationToken).ConfigureAwait(false);
        var port = broker.Port;
        Console.WriteLine($"mosquitto on 127.0.0.1:{port}");
        // warm-up (JIT, TCP) so the first measured run is not penalised; the machine is shared, so
        // each configuration runs twice interleaved and the better run counts
        Console.WriteLine("warm-up:");
        await RawRateAsync(port, payload, Math.Min(count, 500), window: 1, cancellationToken).ConfigureAwait(false);
        await HubRateAsync(port, payload, Math.Min(count, 500), window: 1, cancellationToken).ConfigureAwait(false);
        Console.WriteLine("measured:");
        double raw1 = 0, hub1 = 0, raw16 = 0, hub16 = 0;
        for (var round = 0; round < 2; round++)
        {
            raw1 = Math.Max(raw1, await RawRateAsync(port, payload, count, window: 1, cancellationToken).ConfigureAwait(false));
            hub1 = Math.Max(hub1, await HubRateAsync(port, payload, count, window: 1, cancellationToken).ConfigureAwait(false));
            raw16 = Math.Max(raw16, await RawRateAsync(port, payload, count, window: 16, cancellationToken).ConfigureAwait(false));
            hub16 = Math.Max(hub16, await HubRateAsync(port, payload, count, window: 16, cancellationToken).ConfigureAwait(false));
        }
        Console.WriteLine($"ratio IotHubModuleClient / raw MQTTnet client: window 1 {hub1 / raw1:F2}x, window 16 {hub16 / raw16:F2}x; IotHub window 16 / window 1: {hub16 / hub1:F2}x");
    }

    private static void Pure()
    {
        var resource = SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store017-gw", "StoreGateway");
        var keys = new[] { SharedAccessSignature.DecodeKey(Key) };
        const int Rounds = 50_000;
        var watch = Stopwatch.StartNew();
        string token = string.Empty;
        for (var i = 0; i < Rounds; i++)
        {
            token = SharedAccessSignature.Create(resource, Key, 1_893_456_000 + i);
        }
        var create = watch.Elapsed;
        var now = DateTimeOffset.FromUnixTimeSeconds(1_893_000_000);
        var valid = 0;
        watch.Restart();
        for (var i = 0; i < Rounds; i++)
        {
            valid += SasTokenValidator.Validate(token, resource, keys, now).IsValid ? 1 : 0;
        }
        var validate = watch.Elapsed;
        if (valid != Rounds)
        {
            throw new InvalidOperationException("a benchmark token did not validate");
        }
        var message = new IotHubMessage(new byte[16])
        {
            MessageId = "store017-gw-000000123",
            ContentType = "application/json",
            ContentEncoding = "gzip",
            CreationTimeUtc = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero),
            OutputName = "upstream",
            Properties = new Dictionary<string, string> { ["store"] = "017", ["kind"] = "sales-minute", ["schema"] = "2", ["batch"] = "123" },
        };
        var bag = message.ToPropertyBag();
        watch.Restart();
        for (var i = 0; i < Rounds; i++)
        {
            bag = message.ToPropertyBag();
        }
        var encode = watch.Elapsed;
        watch.Restart();
        for (var i = 0; i < Rounds; i++)
        {
            IotHubMessage.TryFromPropertyBag(message.Body, bag, out _, out _);
        }
        var decode = watch.Elapsed;
        Console.WriteLine($"SAS: create {Rounds / create.TotalSeconds:N0}/s, validate {Rounds / validate.TotalSeconds:N0}/s; property bag ({bag.Length} chars, 9 properties): encode {Rounds / encode.TotalSeconds:N0}/s, decode {Rounds / decode.TotalSeconds:N0}/s");
    }

    private static async Task<double> HubRateAsync(int port, byte[] payload, int count, int window, CancellationToken cancellationToken)
    {
        await using var client = new IotHubModuleClient(new IotHubModuleClientOptions
        {
            HostName = "myhub.azure-devices.net",
            GatewayHostName = "127.0.0.1",
            Port = port,
            UseTls = false,
            DeviceId = "store017-gw",
            ModuleId = "bench" + window.ToString(CultureInfo.InvariantCulture),
            Signer = new SharedAccessKeySigner(Key),
            MaxInFlight = window,
            CleanSession = true,
        });
        await client.OpenAsync(cancellationToken).ConfigureAwait(false);
        IotHubMessage Message(int i) => new(payload)
        {
            MessageId = "m" + i.ToString(CultureInfo.InvariantCulture),
            ContentType = "application/json",
            ContentEncoding = "gzip",
            Properties = new Dictionary<string, string> { ["store"] = "017" },
        };
        var samples = new double[count];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        if (window == 1)
        {
            for (var i = 0; i < count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await client.SendEventAsync("upstream", Message(i), cancellationToken).ConfigureAwait(false);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        else
        {
            var tasks = new Task[count];
            for (var i = 0; i < count; i++)
            {
                tasks[i] = client.SendEventAsync("upstream", Message(i), cancellationToken);
            }
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        var elapsed = watch.Elapsed;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var rate = count / elapsed.TotalSeconds;
        var latency = string.Empty;
        if (window == 1)
        {
            Array.Sort(samples);
            latency = $", SendEventAsync→PUBACK p50 {BenchSupport.Percentile(samples, 0.50):F3} ms, p99 {BenchSupport.Percentile(samples, 0.99):F3} ms";
        }
        Console.WriteLine($"IotHubModuleClient window {window,2}: {rate,8:N0} msg/s, {rate * payload.Length / 1e6,6:N1} MB/s, {cpuUsed.TotalMilliseconds / count * 1000,6:N0} µs/msg client CPU{latency}");
        await client.CloseAsync(cancellationToken).ConfigureAwait(false);
        return rate;
    }

    private static async Task<double> RawRateAsync(int port, byte[] payload, int count, int window, CancellationToken cancellationToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithClientId("bench-raw-" + window.ToString(CultureInfo.InvariantCulture))
            .Build(), cancellationToken).ConfigureAwait(false);
        const string Topic = "devices/store017-gw/modules/raw/messages/events/%24.mid=m&%24.ct=application%2fjson&%24.ce=gzip&%24.on=upstream&store=017";
        var message = new MqttApplicationMessageBuilder().WithTopic(Topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await BenchSupport.PublishInWindowAsync(client, message, count, window, cancellationToken).ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var rate = count / elapsed.TotalSeconds;
        Console.WriteLine($"raw MQTTnet client window {window,2}: {rate,8:N0} msg/s, {rate * payload.Length / 1e6,6:N1} MB/s, {cpuUsed.TotalMilliseconds / count * 1000,6:N0} µs/msg client CPU");
        await client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken).ConfigureAwait(false);
        return rate;
    }
}
