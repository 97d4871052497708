using System.Text.Json.Nodes;
using RetailEdge.Contracts;
using RetailEdge.Deployment;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>
/// Which deployment and module image each gateway runs, for `fleet status`: the device twins' <c>deployment</c>
/// tag (written by `retailedge deploy`) and the image of the row's module in each edgeAgent twin. Two
/// queries for the whole fleet, not two reads per device.
/// </summary>
internal static class FleetDeployments
{
    public const string EdgeAgentQuery = "SELECT * FROM devices.modules WHERE moduleId = '$edgeAgent'";
    public static readonly string DeviceQuery = $"SELECT * FROM devices WHERE IS_DEFINED(tags.{DeploymentRecord.TagName})";

    public static async Task<IReadOnlyList<StoreHealthRow>> WithDeploymentsAsync(IotHubServiceClient hub, IReadOnlyList<StoreHealthRow> rows, CancellationToken cancellationToken)
    {
        var deployments = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var device in hub.QueryTwinsAsync(DeviceQuery, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (device.Tags[DeploymentRecord.TagName] is JsonObject tag
                && TolerantJson.Deserialize(tag, DeploymentJsonContext.Default.DeploymentRecord, out _).Id is { } id)
            {
                deployments[device.DeviceId] = Cap(id);
            }
        }
        var images = new Dictionary<(string Device, string Module), string>();
        await foreach (var agent in hub.QueryTwinsAsync(EdgeAgentQuery, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            foreach (var (module, image) in DeployedModules.ImagesOfAgent(agent.Desired))
            {
                images[(agent.DeviceId, module)] = Cap(image);
            }
        }
        return [.. rows.Select(r => r with
        {
            Deployment = deployments.GetValueOrDefault(r.DeviceId),
            ModuleImage = images.GetValueOrDefault((r.DeviceId, r.ModuleId)),
        })];
    }

    // twin values are untrusted: keep a table row readable
    private static string Cap(string value) => value.Length <= StoreHealthRow.MaxStringLength ? value : value[..StoreHealthRow.MaxStringLength];
}
