using System.Text.Json.Nodes;

namespace RetailEdge.Deployment.Tests;

public class ManifestValidatorTests
{
    /// <summary>A small valid manifest: one module with settings, one route in each form.</summary>
    private static JsonObject Valid() => JsonNode.Parse("""
        {"modulesContent":{
          "$edgeAgent":{"properties.desired":{"schemaVersion":"1.1",
            "runtime":{"type":"docker","settings":{"registryCredentials":{"r":{"username":"u","password":"p","address":"reg.test"}}}},
            "systemModules":{"edgeAgent":{"type":"docker","settings":{"image":"agent:1.5","createOptions":"{}"}},
                             "edgeHub":{"type":"docker","status":"running","restartPolicy":"always","settings":{"image":"hub:1.5","createOptions":"{}"}}},
            "modules":{"StoreGateway":{"version":"1.0","type":"docker","status":"running","restartPolicy":"always","startupOrder":2,
                "env":{"StoreGateway__StoreId":{"value":"3"}},"settings":{"image":"reg.test/storegateway:1.0.0-amd64","createOptions":"{\"User\":\"app\"}"}}}}},
          "$edgeHub":{"properties.desired":{"schemaVersion":"1.2",
            "routes":{"up":{"route":"FROM /messages/modules/StoreGateway/* INTO $upstream","priority":0,"timeToLiveSecs":86400},
                      "loop":"FROM /messages/modules/StoreGateway/outputs/alerts WHERE $body.kind = 'x' INTO BrokeredEndpoint(\"/modules/StoreGateway/inputs/events\")"},
            "storeAndForwardConfiguration":{"timeToLiveSecs":7200}}},
          "StoreGateway":{"properties.desired":{"windowSeconds":60}}}}
        """)!.AsObject();

    private static JsonObject Agent(JsonObject manifest) => manifest["modulesContent"]!["$edgeAgent"]!["properties.desired"]!.AsObject();

    private static JsonObject Routes(JsonObject manifest) => manifest["modulesContent"]!["$edgeHub"]!["properties.desired"]!["routes"]!.AsObject();

    private static JsonObject GatewaySettings(JsonObject manifest) => Agent(manifest)["modules"]!["StoreGateway"]!["settings"]!.AsObject();

    [Fact]
    public void Validate_ValidManifest_NoProblems()
    {
        Assert.Empty(ManifestValidator.Validate(Valid()));
    }

    [Theory]
    [InlineData("FROM /messages/modules/StoreGateway/* INTO upstream")]
    [InlineData("FROM /messages/modules/StoreGateway/* $upstream")]
    [InlineData("SELECT * FROM /messages/* INTO $upstream")]
    [InlineData("FROM /telemetry/* INTO $upstream")]
    [InlineData("FROM /messages/* INTO BrokeredEndpoint(\"/modules/StoreGateway/outputs/x\")")]
    [InlineData("FROM /messages/* INTO BrokeredEndpoint(\"/modules/Missing/inputs/x\")")]
    public void Validate_BadRoute_RouteProblemNamingTheRoute(string route)
    {
        var manifest = Valid();
        Routes(manifest)["up"]!["route"] = route;

        var problem = Assert.Single(ManifestValidator.Validate(manifest));

        Assert.Equal(ManifestProblemCodes.Route, problem.Code);
        Assert.Equal("$edgeHub.properties.desired.routes.up", problem.Path);
    }

    [Fact]
    public void Validate_BadRouteNameAndPriority_BothReported()
    {
        var manifest = Valid();
        Routes(manifest)["to#upstream"] = "FROM /messages/* INTO $upstream";
        Routes(manifest)["up"]!["priority"] = 12;

        var problems = ManifestValidator.Validate(manifest);

        Assert.Equal(["$edgeHub.properties.desired.routes.up.priority", "$edgeHub.properties.desired.routes.to#upstream"], problems.Select(p => p.Path));
        Assert.All(problems, p => Assert.Equal(ManifestProblemCodes.Route, p.Code));
    }

    [Theory]
    [InlineData("{\"User\":\"app\",\"HostConfig\":")]
    [InlineData("[\"not\",\"an object\"]")]
    public void Validate_CreateOptionsNotAJsonObject_Problem(string createOptions)
    {
        var manifest = Valid();
        GatewaySettings(manifest)["createOptions"] = createOptions;

        var problem = Assert.Single(ManifestValidator.Validate(manifest));

        Assert.Equal(ManifestProblemCodes.CreateOptions, problem.Code);
        Assert.Equal("$edgeAgent.properties.desired.modules.StoreGateway.settings.createOptions", problem.Path);
    }

    [Fact]
    public void Validate_CreateOptionsChunkTooLongOrWithGap_Problems()
    {
        var tooLong = Valid();
        GatewaySettings(tooLong)["createOptions"] = "{\"Env\":[\"" + new string('a', 600) + "\"]}";
        var gap = Valid();
        GatewaySettings(gap)["createOptions"] = "{\"User\":";
        GatewaySettings(gap)["createOptions02"] = "\"app\"}";

        Assert.Contains(ManifestValidator.Validate(tooLong), p => p.Code == ManifestProblemCodes.CreateOptions && p.Message.Contains("at most 512", StringComparison.Ordinal));
        Assert.Contains(ManifestValidator.Validate(gap), p => p.Code == ManifestProblemCodes.CreateOptions && p.Path.EndsWith("createOptions01", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ModuleTwinOver32KB_TwinLimitProblem()
    {
        var manifest = Valid();
        var desired = manifest["modulesContent"]!["StoreGateway"]!["properties.desired"]!.AsObject();
        for (var i = 0; i < 9; i++)
        {
            desired["note" + i] = new string('x', 4000);
        }

        var problem = Assert.Single(ManifestValidator.Validate(manifest));

        Assert.Equal(ManifestProblemCodes.TwinLimit, problem.Code);
        Assert.Equal("modulesContent.StoreGateway", problem.Path);
        Assert.Contains("32,768", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EdgeAgentTwinOver32KB_TwinLimitProblem()
    {
        var manifest = Valid();
        var env = Agent(manifest)["modules"]!["StoreGateway"]!["env"]!.AsObject();
        for (var i = 0; i < 40; i++)
        {
            env["VARIABLE_" + i] = new JsonObject { ["value"] = new string('v', 900) };
        }

        Assert.Contains(ManifestValidator.Validate(manifest), p => p.Code == ManifestProblemCodes.TwinLimit && p.Path == "modulesContent.$edgeAgent");
    }

    [Theory]
    [InlineData("bad.key", "contains a control character")]
    [InlineData("big", "larger than 4096 bytes")]
    [InlineData("deep", "nests deeper than 10")]
    [InlineData("list", "array")]
    public void Validate_TwinRulesOnModuleDesired(string kind, string message)
    {
        var manifest = Valid();
        var desired = manifest["modulesContent"]!["StoreGateway"]!["properties.desired"]!.AsObject();
        switch (kind)
        {
            case "big":
                desired["big"] = new string('b', 5000);
                break;
            case "deep":
                var node = new JsonObject();
                desired["deep"] = node;
                for (var i = 0; i < 11; i++)
                {
                    var child = new JsonObject();
                    node["n"] = child;
                    node = child;
                }
                break;
            case "list":
                desired["list"] = new JsonArray(1, 2);
                break;
            default:
                desired[kind] = 1;
                break;
        }

        Assert.Contains(ManifestValidator.Validate(manifest), p => p.Code == ManifestProblemCodes.TwinLimit && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_StoreGatewaySettingsTheModuleWouldReject_SettingsProblem()
    {
        var manifest = Valid();
        manifest["modulesContent"]!["StoreGateway"]!["properties.desired"]!["windowSeconds"] = -1;

        var problem = Assert.Single(ManifestValidator.Validate(manifest));

        Assert.Equal(ManifestProblemCodes.Settings, problem.Code);
        Assert.Contains("windowSeconds", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SchemaProblems_AllReportedInOnePass()
    {
        var manifest = Valid();
        var module = Agent(manifest)["modules"]!["StoreGateway"]!.AsObject();
        module["status"] = "paused";
        module["startupOrder"] = -1;
        module["settings"]!["image"] = "";
        module["env"]!["StoreGateway__StoreId"] = "3";
        Agent(manifest)["runtime"]!["settings"]!["registryCredentials"]!["r"]!["password"] = "";
        manifest["modulesContent"]!["Orphan"] = new JsonObject { ["properties.desired"] = new JsonObject() };

        var problems = ManifestValidator.Validate(manifest);

        Assert.Equal(
            [
                "$edgeAgent.properties.desired.runtime.settings.registryCredentials.r.password",
                "$edgeAgent.properties.desired.modules.StoreGateway.status",
                "$edgeAgent.properties.desired.modules.StoreGateway.startupOrder",
                "$edgeAgent.properties.desired.modules.StoreGateway.env.StoreGateway__StoreId",
                "$edgeAgent.properties.desired.modules.StoreGateway.settings.image",
                "modulesContent.Orphan",
            ],
            problems.Select(p => p.Path));
        Assert.All(problems, p => Assert.Equal(ManifestProblemCodes.Schema, p.Code));
    }

    [Fact]
    public void Validate_NoEdgeAgentOrEdgeHub_SchemaProblems()
    {
        var problems = ManifestValidator.Validate(JsonNode.Parse("""{"modulesContent":{}}""")!.AsObject());

        Assert.Equal(["$edgeAgent.properties.desired", "$edgeHub.properties.desired"], problems.Select(p => p.Path));
    }

    [Theory]
    [InlineData("""{"modulesContent":{"$edgeAgent":"x","$edgeHub":[1],"M":{"properties.desired":3}}}""")]
    [InlineData("""{"modulesContent":{"$edgeAgent":{"properties.desired":{"runtime":{"settings":{"registryCredentials":{"r":"u:p"}}},"systemModules":{"edgeAgent":1,"edgeHub":{"settings":"s"}},"modules":{"m":{"env":{"A":"1"},"settings":{"image":5,"createOptions":7}}}}},"$edgeHub":{"properties.desired":{"routes":{"r":5,"s":{"route":1,"priority":"high"}},"storeAndForwardConfiguration":2}}}}""")]
    [InlineData("""{"modulesContent":[]}""")]
    public void Validate_AnyShape_ProblemsNotExceptions(string json)
    {
        var problems = ManifestValidator.Validate(JsonNode.Parse(json)!.AsObject());

        Assert.NotEmpty(problems);
    }
}
