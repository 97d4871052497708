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

    [Fact]
    public void Template_StoreBrokerAndHttpIngest_AuthenticatedAndNotPublishedOnAllInterfaces()
    {
        var modules = Manifest().GetProperty("modulesContent").GetProperty("$edgeAgent").GetProperty("properties.desired").GetProperty("modules");
        foreach (var name in new[] { "storebroker", "StoreGateway" })
        {
            var settings = modules.GetProperty(name).GetProperty("settings");
            var text = string.Concat(settings.EnumerateObject().Where(p => p.Name.StartsWith("createOptions", StringComparison.Ordinal)).OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Value.GetString()));
            using var createOptions = JsonDocument.Parse(text);
            foreach (var port in createOptions.RootElement.GetProperty("HostConfig").GetProperty("PortBindings").EnumerateObject())
            {
                foreach (var binding in port.Value.EnumerateArray())
                {
                    // A specific host address (the store LAN's), never every interface.
                    var hostIp = binding.TryGetProperty("HostIp", out var ip) ? ip.GetString() : null;
                    Assert.False(string.IsNullOrEmpty(hostIp) || hostIp is "0.0.0.0" or "::", $"{name} publishes {port.Name} on all host interfaces");
                }
            }
            if (name == "storebroker")
            {
                var command = string.Join(' ', createOptions.RootElement.GetProperty("Cmd").EnumerateArray().Select(c => c.GetString()));
                Assert.DoesNotContain("no-auth", command, StringComparison.Ordinal);
                Assert.Contains("/mosquitto/config/mosquitto.conf", command, StringComparison.Ordinal);
            }
        }
        // The broker configuration the manifest mounts refuses anonymous clients.
        var config = File.ReadAllLines(Path.Combine(RepoPaths.Root, "edge", "storebroker", "mosquitto.conf")).Select(l => l.Trim()).ToList();
        Assert.Contains("allow_anonymous false", config);
        Assert.Contains(config, l => l.StartsWith("password_file ", StringComparison.Ordinal));
        var env = modules.GetProperty("StoreGateway").GetProperty("env");
        Assert.StartsWith("/run/secrets/", env.GetProperty("StoreGateway__IngestKeyFile").GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("/run/secrets/", env.GetProperty("StoreGateway__MqttPasswordFile").GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.False(env.TryGetProperty("StoreGateway__IngestKey", out _), "a key in the manifest is readable by everyone who reads the deployment");
    }
}
