using System.Text.Json.Serialization;

namespace RetailEdge.EventHubsSource;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class EventHubsJsonContext : JsonSerializerContext;
