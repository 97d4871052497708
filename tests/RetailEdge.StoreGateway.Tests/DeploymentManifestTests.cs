using System.Text.Json;
using RetailEdge.Contracts.Twin;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

public class DeploymentManifestTests
{
    private static JsonElement Manifest()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "deployment.template.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    [Fact]
    public void Template_EveryModule_HasParsableCreateOptionsAndGatewayVolumeAndPort()
    {
        var agent = Manifest().GetProperty("modulesContent").GetProperty("$edgeAgent").GetProperty("properties.desired");
        var modules = agent.GetProperty("modules").EnumerateObject().Concat(agent.GetProperty("systemModules").EnumerateObject()).ToList();
        Assert.Contains(modules, m => m.Name == "StoreGateway");
        Assert.Contains(modules, m => m.Name == "storebroker" && m.Value.GetProperty("settings").GetProperty("image").GetString()!.StartsWith("eclipse-mosquitto", StringComparison.Ordinal));
        foreach (var module in modules)
        {
            var settings = module.Value.GetProperty("settings");
            // createOptions may be split into 512-character chunks createOptions, createOptions01, …
            var text = string.Concat(settings.EnumerateObject().Where(p => p.Name.StartsWith("createOptions", StringComparison.Ordinal)).OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Value.GetString()));
            Assert.True(settings.GetProperty("createOptions").GetString()!.Length <= 512, module.Name);
            using var createOptions = JsonDocument.Parse(text);
            Assert.Equal(JsonValueKind.Object, createOptions.RootElement.ValueKind);
            if (module.Name == "StoreGateway")
            {
                var host = createOptions.RootElement.GetProperty("HostConfig");
                Assert.Contains(host.GetProperty("Binds").EnumerateArray(), b => b.GetString()!.EndsWith(":/app/data", StringComparison.Ordinal));
                Assert.True(host.GetProperty("PortBindings").TryGetProperty("8080/tcp", out _));
                var env = module.Value.GetProperty("env");
                Assert.Equal("/app/data", env.GetProperty("StoreGateway__DataDirectory").GetProperty("value").GetString());
            }
        }
    }

    [Fact]
    public void Template_EdgeHubRoutesAndGatewayDesired_AreValid()
    {
        var content = Manifest().GetProperty("modulesContent");
        var routes = content.GetProperty("$edgeHub").GetProperty("properties.desired").GetProperty("routes");
        foreach (var route in routes.EnumerateObject())
        {
            Assert.Matches("^[^\\.\\$# ]+$", route.Name);
            var text = route.Value.ValueKind == JsonValueKind.String ? route.Value.GetString()! : route.Value.GetProperty("route").GetString()!;
            Assert.StartsWith("FROM /messages/", text, StringComparison.Ordinal);
        }
        Assert.Contains(routes.EnumerateObject(), r => r.Value.ToString().Contains("INTO $upstream", StringComparison.Ordinal));
        var desired = content.GetProperty("StoreGateway").GetProperty("properties.desired");
        var (settings, error) = GatewaySettings.Apply(GatewaySettings.Default, desired);
        Assert.Null(error);
        Assert.Equal(GatewaySettings.Default, settings);
    }

    [Fact]
    public void ModuleJson_Platforms_PointAtExistingDockerfiles()
    {
        var folder = Path.Combine(RepoPaths.Root, "edge", "modules", "StoreGateway");
        using var module = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "module.json")));
        var platforms = module.RootElement.GetProperty("image").GetProperty("tag").GetProperty("platforms");
        Assert.Equal(["amd64", "arm64v8"], platforms.EnumerateObject().Select(p => p.Name));
        foreach (var platform in platforms.EnumerateObject())
        {
            var dockerfile = File.ReadAllText(Path.Combine(folder, platform.Value.GetString()!));
            Assert.Contains("dotnet publish", dockerfile, StringComparison.Ordinal);
            Assert.Contains("ENTRYPOINT [\"dotnet\", \"StoreGateway.dll\"]", dockerfile, StringComparison.Ordinal);
        }
        Assert.Contains("UseAppHost=false", File.ReadAllText(Path.Combine(folder, "Dockerfile.arm64v8")), StringComparison.Ordinal);
    }
}
