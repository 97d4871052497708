using System.Text.Json.Nodes;

namespace RetailEdge.Deployment;

/// <summary>What a deployment runs, read from a modulesContent or from an edgeAgent twin's desired properties. Pure.</summary>
public static class DeployedModules
{
    /// <summary>module name → image of each module (not the system modules) in a <c>modulesContent</c>.</summary>
    public static IReadOnlyDictionary<string, string> Images(JsonObject modulesContent)
    {
        ArgumentNullException.ThrowIfNull(modulesContent);
        return JsonWalk.Get(modulesContent, "$edgeAgent", "properties.desired") is JsonObject agent ? ImagesOfAgent(agent) : new Dictionary<string, string>();
    }

    /// <summary>module name → image in an edgeAgent's desired properties (what the twin holds after a deployment).</summary>
    public static IReadOnlyDictionary<string, string> ImagesOfAgent(JsonObject edgeAgentDesired)
    {
        ArgumentNullException.ThrowIfNull(edgeAgentDesired);
        var images = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (edgeAgentDesired["modules"] is JsonObject modules)
        {
            foreach (var (name, module) in modules)
            {
                if (JsonWalk.GetString(module, "settings", "image") is { } text)
                {
                    images[name] = text;
                }
            }
        }
        return images;
    }
}
