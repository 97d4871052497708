namespace RetailEdge.StoreGateway.Core;

/// <summary>Where an event came from (kept in the journal and quarantine).</summary>
public static class IngestSources
{
    public const string Http = "http";
    public const string Mqtt = "mqtt";
    public const string File = "file";
    public const string EdgeHub = "edgehub";
    public const string Test = "test";
}
