namespace RetailEdge.Mqtt;

/// <summary>CONNECT user name and password (e.g. a SAS token). Never logged.</summary>
public sealed record MqttCredentials(string? UserName, string? Password)
{
    public override string ToString() => $"MqttCredentials {{ UserName = {UserName}, Password = {(Password is null ? "(none)" : "***")} }}";
}
