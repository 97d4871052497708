namespace RetailEdge.Mqtt.Tests;

/// <summary>Our <see cref="MqttServer"/> served over in-memory channel pairs: each client connect makes a new pair.</summary>
internal sealed class InMemoryServer : IAsyncDisposable
{
    private readonly List<Task> _served = [];

    public InMemoryServer(MqttServerOptions? options = null)
    {
        Server = new MqttServer(options ?? new MqttServerOptions());
        ChannelFactory = new MqttChannelFactory(_ => ValueTask.FromResult<IMqttChannel>(Connect()));
    }

    public MqttServer Server { get; }

    public IMqttChannelFactory ChannelFactory { get; }

    public int Connections { get; private set; }

    /// <summary>A raw client end, for tests that speak bytes.</summary>
    public MqttInMemoryChannel Connect()
    {
        var (client, server) = MqttInMemoryChannel.CreatePair();
        lock (_served)
        {
            Connections++;
            _served.Add(Task.Run(() => Server.HandleChannelAsync(server)));
        }
        return client;
    }

    public MqttClientOptions ClientOptions(string clientId) => new()
    {
        ClientId = clientId,
        ChannelFactory = ChannelFactory,
        KeepAlive = TimeSpan.FromSeconds(30),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        RandomSeed = 1,
    };

    /// <summary>Waits until every connection served so far has ended; fails if one does not within the timeout.</summary>
    public async Task WaitServedAsync(TimeSpan timeout)
    {
        Task[] served;
        lock (_served)
        {
            served = [.. _served];
        }
        await Task.WhenAll(served).WaitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Task[] served;
        lock (_served)
        {
            served = [.. _served];
        }
        await Task.WhenAll(served).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
