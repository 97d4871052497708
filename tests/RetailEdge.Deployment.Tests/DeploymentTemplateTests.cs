using System.Text.Json.Nodes;
using RetailEdge.Testing;

namespace RetailEdge.Deployment.Tests;

public class DeploymentTemplateTests
{
    private static readonly string RepositoryTemplate = File.ReadAllText(Path.Combine(RepoPaths.Root, "edge", "deployment.template.json"));

    private static Dictionary<string, string> Variables(int store) => new(StringComparer.Ordinal)
    {
        ["CONTAINER_REGISTRY_SERVER"] = "reg.test",
        ["CONTAINER_REGISTRY_USERNAME"] = "u",
        ["CONTAINER_REGISTRY_PASSWORD"] = "p",
        ["EDGE_RUNTIME_VERSION"] = "1.5",
        ["STORE_LAN_ADDRESS"] = "10.0.0.2",
        ["STORE_ID"] = store.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["MODULES.StoreGateway"] = "reg.test/storegateway:1.0.0-amd64",
        ["MODULES.StoreSimulator"] = "reg.test/storesimulator:1.0.0-amd64",
    };

    [Fact]
    public void Parse_RepositoryTemplate_FindsBracedAndBarePlaceholdersButNotIotEdgeSyntax()
    {
        var (template, problem) = DeploymentTemplate.Parse(RepositoryTemplate);

        Assert.Null(problem);
        Assert.Equal(Variables(1).Keys.Order(StringComparer.Ordinal), template!.Placeholders.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Render_RepositoryTemplate_SubstitutesValuesKeepsKeysAndPassesValidation()
    {
        var (template, _) = DeploymentTemplate.Parse(RepositoryTemplate);

        var (content, problems) = template!.Render(Variables(17));

        Assert.Empty(problems);
        var modules = content!["modulesContent"]!.AsObject();
        Assert.True(modules.ContainsKey("$edgeAgent"));
        Assert.Null(content["$schema-template"]);
        Assert.Equal("17", (string)modules["$edgeAgent"]!["properties.desired"]!["modules"]!["StoreGateway"]!["env"]!["StoreGateway__StoreId"]!["value"]!);
        Assert.Equal("mcr.microsoft.com/azureiotedge-hub:1.5", (string)modules["$edgeAgent"]!["properties.desired"]!["systemModules"]!["edgeHub"]!["settings"]!["image"]!);
        Assert.Equal("FROM /messages/modules/StoreGateway/* INTO $upstream", (string)modules["$edgeHub"]!["properties.desired"]!["routes"]!["gatewayToHub"]!["route"]!);
        Assert.Empty(ManifestValidator.Validate(content));
    }

    [Fact]
    public void Render_ValueWithQuotesInCreateOptions_StaysInsideItsStringAndAddsNoOption()
    {
        var (template, _) = DeploymentTemplate.Parse(RepositoryTemplate);
        var variables = Variables(1);
        // a device tag written to escape its JSON string and switch on a privileged container
        variables["STORE_LAN_ADDRESS"] = "10.0.0.2\"}]},\"Privileged\":true,\"x\":{\"y\":[{\"z\":\"";

        var (content, problems) = template!.Render(variables);

        Assert.Empty(problems);
        var createOptions = JsonNode.Parse((string)content!["modulesContent"]!["$edgeAgent"]!["properties.desired"]!["modules"]!["StoreGateway"]!["settings"]!["createOptions"]!)!;
        Assert.Null(createOptions["Privileged"]);
        Assert.Null(createOptions["HostConfig"]!["Privileged"]);
        Assert.Equal(variables["STORE_LAN_ADDRESS"], (string)createOptions["HostConfig"]!["PortBindings"]!["8080/tcp"]![0]!["HostIp"]!);
        // outside createOptions the value is plain text
        Assert.Equal("1", (string)content["modulesContent"]!["$edgeAgent"]!["properties.desired"]!["modules"]!["StoreGateway"]!["env"]!["StoreGateway__StoreId"]!["value"]!);
    }

    [Fact]
    public void Render_MissingVariable_NamesEachPlaceholderWithoutRendering()
    {
        var (template, _) = DeploymentTemplate.Parse(RepositoryTemplate);
        var variables = Variables(1);
        variables.Remove("STORE_ID");
        variables.Remove("CONTAINER_REGISTRY_PASSWORD");

        var (content, problems) = template!.Render(variables);

        Assert.Null(content);
        Assert.Equal(["CONTAINER_REGISTRY_PASSWORD", "STORE_ID"], problems.Select(p => p.Path));
        Assert.All(problems, p => Assert.Equal(ManifestProblemCodes.UnresolvedPlaceholder, p.Code));
    }

    [Fact]
    public void Render_LongCreateOptions_SplitIntoChunksThatJoinBackAndValidate()
    {
        var binds = string.Join(",", Enumerable.Range(0, 60).Select(i => $"\\\"/var/data{i}:/data{i}\\\""));
        var text = """
            {"modulesContent":{
              "$edgeAgent":{"properties.desired":{"schemaVersion":"1.1","runtime":{"type":"docker","settings":{}},
                "systemModules":{"edgeAgent":{"type":"docker","settings":{"image":"agent:1"}},"edgeHub":{"type":"docker","status":"running","restartPolicy":"always","settings":{"image":"hub:1"}}},
                "modules":{"big":{"type":"docker","status":"running","restartPolicy":"always","settings":{"image":"${IMAGE}","createOptions":"{\"HostConfig\":{\"Binds\":[BINDS]}}"}}}}},
              "$edgeHub":{"properties.desired":{"schemaVersion":"1.2","routes":{"up":"FROM /messages/* INTO $upstream"}}}}}
            """.Replace("BINDS", binds, StringComparison.Ordinal);
        var (template, problem) = DeploymentTemplate.Parse(text);
        Assert.Null(problem);

        var (content, problems) = template!.Render(new Dictionary<string, string> { ["IMAGE"] = "big:1" });

        Assert.Empty(problems);
        var settings = content!["modulesContent"]!["$edgeAgent"]!["properties.desired"]!["modules"]!["big"]!["settings"]!.AsObject();
        var chunks = settings.Where(p => p.Key.StartsWith("createOptions", StringComparison.Ordinal)).Select(p => (string)p.Value!).ToList();
        Assert.True(chunks.Count >= 3, $"{chunks.Count} chunks");
        Assert.Equal(["createOptions", "createOptions01", "createOptions02"], settings.Select(p => p.Key).Where(k => k.StartsWith("createOptions", StringComparison.Ordinal)).Take(3));
        Assert.All(chunks, c => Assert.True(c.Length <= DeploymentTemplate.CreateOptionsChunkLength));
        Assert.Equal(60, JsonNode.Parse(string.Concat(chunks))!["HostConfig"]!["Binds"]!.AsArray().Count);
        Assert.Empty(ManifestValidator.Validate(content));
    }

    [Theory]
    [InlineData("not json", ManifestProblemCodes.NotJson)]
    [InlineData("{\"modules\":{}}", ManifestProblemCodes.Schema)]
    public void Parse_Unreadable_Problem(string text, string code)
    {
        var (template, problem) = DeploymentTemplate.Parse(text);

        Assert.Null(template);
        Assert.Equal(code, problem!.Code);
    }

    [Fact]
    public void ImageFromModuleJson_RepositoryVersionAndPlatform()
    {
        var moduleJson = File.ReadAllText(Path.Combine(RepoPaths.Root, "edge", "modules", "StoreGateway", "module.json"));

        Assert.Equal("reg.test/storegateway:0.1.0-arm64v8", DeploymentTemplate.ImageFromModuleJson(moduleJson, "arm64v8", n => n == "CONTAINER_REGISTRY_SERVER" ? "reg.test" : null));
        Assert.Null(DeploymentTemplate.ImageFromModuleJson(moduleJson, "amd64", _ => null));
    }

    [Fact]
    public void Variables_TagsInUpperSnakeCase_SetOverTagsOverEnvironment()
    {
        var tags = JsonNode.Parse("""{"storeId":7,"storeLanAddress":"10.0.7.2","site":{"regionName":"north"},"pilot":true}""")!.AsObject();
        var placeholders = new HashSet<string> { "STORE_ID", "CONTAINER_REGISTRY_PASSWORD", "REGION" };

        var variables = DeploymentVariables.ForDevice("store007-gw", tags, new Dictionary<string, string> { ["STORE_LAN_ADDRESS"] = "192.168.7.2" }, placeholders,
            name => name switch { "CONTAINER_REGISTRY_PASSWORD" => "secret", "STORE_ID" => "99", "HOME" => "/root", _ => null });

        Assert.Equal("7", variables["STORE_ID"]);
        Assert.Equal("192.168.7.2", variables["STORE_LAN_ADDRESS"]);
        Assert.Equal("north", variables["SITE_REGION_NAME"]);
        Assert.Equal("true", variables["PILOT"]);
        Assert.Equal("secret", variables["CONTAINER_REGISTRY_PASSWORD"]);
        Assert.Equal("store007-gw", variables[DeploymentVariables.DeviceIdVariable]);
        Assert.False(variables.ContainsKey("HOME"), "only the environment variables the template names are taken");
    }

    [Theory]
    [InlineData("A=b=c", "A", "b=c")]
    [InlineData("MODULES.StoreGateway=reg/x:1", "MODULES.StoreGateway", "reg/x:1")]
    [InlineData("EMPTY=", "EMPTY", "")]
    public void ParseSet_KeyValue(string argument, string key, string value)
    {
        var (pair, error) = DeploymentVariables.ParseSet(argument);

        Assert.Null(error);
        Assert.Equal(new KeyValuePair<string, string>(key, value), pair);
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=x")]
    [InlineData("${X}=y")]
    public void ParseSet_Malformed_ErrorWithoutTheValue(string argument)
    {
        var (pair, error) = DeploymentVariables.ParseSet(argument);

        Assert.Null(pair);
        Assert.StartsWith("--set", error, StringComparison.Ordinal);
    }
}
