using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>The configurations REST API over plain HTTP: create, the rules of an update, bad bodies, delete and fall-back to the next configuration.</summary>
public class ConfigurationRestTests
{
    private const string Api = "?api-version=2021-04-12";

    private static HttpClient Client(EmulatorHarness hub)
    {
        var registry = hub.Emulator.Registry;
        var token = SharedAccessSignature.Create(registry.HostName, registry.ServicePolicy.PrimaryKey, DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds(), registry.ServicePolicy.Name);
        var client = new HttpClient { BaseAddress = hub.Emulator.RestBaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        return client;
    }

    private static string Configuration(string image, string condition = "tags.ring = 'pilot'", int priority = 1) => new JsonObject
    {
        ["content"] = new JsonObject
        {
            ["modulesContent"] = new JsonObject
            {
                ["$edgeAgent"] = new JsonObject { ["properties.desired"] = new JsonObject { ["modules"] = new JsonObject { ["gw"] = new JsonObject { ["settings"] = new JsonObject { ["image"] = image } } } } },
            },
        },
        ["targetCondition"] = condition,
        ["priority"] = priority,
    }.ToJsonString();

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, string id, string body, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"configurations/{id}{Api}", UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await client.SendAsync(request);
    }

    private static async Task<string?> ImageAsync(EmulatorHarness hub, string device)
    {
        using var client = Client(hub);
        using var response = await client.GetAsync(new Uri($"twins/{device}/modules/$edgeAgent{Api}", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.NotFound ? null
            : (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["properties"]!["desired"]!["modules"]!["gw"]!["settings"]!["image"];
    }

    [Fact]
    public async Task Put_UpdateRulesAndDelete_FallBackToTheNextConfiguration()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        using var client = Client(hub);
        await hub.Emulator.Registry.AddDeviceAsync("d1");
        using (var tags = await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, new Uri("twins/d1" + Api, UriKind.Relative)) { Content = new StringContent("""{"tags":{"ring":"pilot"}}""", Encoding.UTF8, "application/json") }))
        {
            Assert.Equal(HttpStatusCode.OK, tags.StatusCode);
        }

        using var low = await PutAsync(client, "low", Configuration("img:1", priority: 1));
        using var high = await PutAsync(client, "high", Configuration("img:2", priority: 5));
        Assert.Equal(HttpStatusCode.OK, low.StatusCode);
        Assert.Equal("img:2", await ImageAsync(hub, "d1"));

        using var again = await PutAsync(client, "low", Configuration("img:1", priority: 1));
        using var otherContent = await PutAsync(client, "low", Configuration("img:3"), "*");
        using var stale = await PutAsync(client, "low", Configuration("img:1", priority: 9), "\"not-the-etag\"");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherContent.StatusCode);
        Assert.Contains("cannot change", await otherContent.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);

        // raising the priority with the right ETag moves the device to that configuration
        using var raised = await PutAsync(client, "low", Configuration("img:1", priority: 9), low.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        Assert.Equal("img:1", await ImageAsync(hub, "d1"));

        using var deleted = await client.DeleteAsync(new Uri("configurations/low" + Api, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("img:2", await ImageAsync(hub, "d1"));
        using var list = await client.GetAsync(new Uri("configurations" + Api, UriKind.Relative));
        Assert.Equal(["high"], JsonNode.Parse(await list.Content.ReadAsStringAsync())!.AsArray().Select(c => (string)c!["id"]!));
    }

    [Theory]
    [InlineData("""{"content":{},"targetCondition":"tags.a = 1"}""", "modulesContent")]
    [InlineData("""{"content":{"modulesContent":{"m":{"properties.desired":{"a.b":1}}}},"targetCondition":"tags.a = 1"}""", "modulesContent.m")]
    [InlineData("""{"content":{"modulesContent":{}},"targetCondition":"tags.a =="}""", "targetCondition")]
    [InlineData("""{"content":{"modulesContent":{}},"targetCondition":"tags.a = 1","priority":-1}""", "priority")]
    [InlineData("""{"content":{"modulesContent":{}}}""", "targetCondition")]
    public async Task Put_BadBody_400NamingTheField(string body, string reason)
    {
        await using var hub = await EmulatorHarness.StartAsync();
        using var client = Client(hub);

        using var response = await PutAsync(client, "c1", body);
        using var get = await client.GetAsync(new Uri("configurations/c1" + Api, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("ConfigurationNotFound", get.Headers.GetValues("iothub-errorcode").Single());
    }
}
