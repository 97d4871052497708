using System.Text.Json;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// An in-process stand-in for the hub: records acknowledged messages and reported patches, can be
/// switched offline, and lets a test push desired properties, invoke methods and send inputs the
/// way the hub would. Thread-safe.
/// </summary>
public sealed class InMemoryHubTransport : IHubTransport
{
    private readonly object _gate = new();
    private readonly List<HubMessage> _sent = [];
    private readonly List<string> _reported = [];
    private IHubTransportHandler? _handler;
    private volatile bool _online = true;

    public bool IsConnected => _online && _handler is not null;

    /// <summary>Offline: sends fail with <see cref="HubTransportException"/>, as with a lost WAN link.</summary>
    public bool Online
    {
        get => _online;
        set => _online = value;
    }

    /// <summary>The desired document handed to the module when it starts (like the twin GET on connect).</summary>
    public string InitialDesired { get; set; } = "{}";

    public IReadOnlyList<HubMessage> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public IReadOnlyList<string> Reported
    {
        get
        {
            lock (_gate)
            {
                return [.. _reported];
            }
        }
    }

    public async Task StartAsync(IHubTransportHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        using var document = JsonDocument.Parse(InitialDesired);
        await handler.OnDesiredPropertiesAsync(document.RootElement, true, cancellationToken).ConfigureAwait(false);
    }

    public Task SendAsync(HubMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_online)
        {
            throw new HubTransportException("the in-memory hub is offline");
        }
        lock (_gate)
        {
            _sent.Add(message with { Body = message.Body.ToArray() });
        }
        return Task.CompletedTask;
    }

    public Task ReportAsync(ReadOnlyMemory<byte> patch, CancellationToken cancellationToken)
    {
        if (!_online)
        {
            throw new HubTransportException("the in-memory hub is offline");
        }
        lock (_gate)
        {
            _reported.Add(System.Text.Encoding.UTF8.GetString(patch.Span));
        }
        return Task.CompletedTask;
    }

    public async Task PushDesiredAsync(string patchJson, CancellationToken cancellationToken = default)
    {
        using var document = JsonDocument.Parse(patchJson);
        await Handler.OnDesiredPropertiesAsync(document.RootElement, false, cancellationToken).ConfigureAwait(false);
    }

    public Task<HubMethodResult> InvokeMethodAsync(string name, string payloadJson, CancellationToken cancellationToken = default) =>
        Handler.OnMethodAsync(name, System.Text.Encoding.UTF8.GetBytes(payloadJson), cancellationToken);

    public Task SendInputAsync(string input, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        Handler.OnInputAsync(input, payload, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private IHubTransportHandler Handler => _handler ?? throw new InvalidOperationException("StartAsync was not called");
}
