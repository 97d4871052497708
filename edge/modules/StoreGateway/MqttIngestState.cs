namespace StoreGateway;

/// <summary>Whether the store-broker session is subscribed (shown in /health).</summary>
public sealed class MqttIngestState
{
    private volatile string _state = "disabled";

    /// <summary>disabled, connecting, subscribed.</summary>
    public string State
    {
        get => _state;
        set => _state = value;
    }
}
