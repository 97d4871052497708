using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>The registry REST API over plain HTTP: IoT Hub's error body, input checks, and what a delete leaves behind.</summary>
public class RegistryRestTests
{
    private static HttpClient Client(EmulatorHarness hub) => hub.RestClient();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task GetDevice_Unknown_404WithIotHubErrorBodyAndHeader()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        using var client = Client(hub);

        using var response = await client.GetAsync(new Uri("devices/nope?api-version=2021-04-12", UriKind.Relative));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("DeviceNotFound", response.Headers.GetValues("iothub-errorcode").Single());
        Assert.Equal(["Message", "ExceptionMessage"], body.Select(p => p.Key));
        Assert.Equal("ErrorCode:DeviceNotFound;device nope is not registered", body["Message"]!.GetValue<string>());
        Assert.StartsWith("Tracking ID:", body["ExceptionMessage"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"deviceId":"other"}""", "differs from the path")]
    [InlineData("""{"deviceId":"gw","authentication":{"type":"selfSigned"}}""", "'selfSigned' is not served")]
    [InlineData("""{"deviceId":"gw","authentication":{"type":"sas","symmetricKey":{"primaryKey":"c2hvcnQ="}}}""", "base64 of 16–64 bytes")]
    [InlineData("""{"deviceId":"gw","status":"paused"}""", "'enabled' or 'disabled'")]
    [InlineData("""{"deviceId":7}""", "registry's shape")]
    [InlineData("""[1]""", "JSON object")]
    public async Task PutDevice_BadBody_400ArgumentInvalidAndNothingRegistered(string json, string reason)
    {
        await using var hub = await EmulatorHarness.StartAsync();
        using var client = Client(hub);

        using var response = await client.PutAsync(new Uri("devices/gw?api-version=2021-04-12", UriKind.Relative), Json(json));
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["Message"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("ErrorCode:ArgumentInvalid;", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Null(hub.Emulator.Registry.FindDevice("gw"));
    }

    [Fact]
    public async Task DeleteModule_ThenCreateAgain_NewKeysAndAnEmptyTwin()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        using var client = Client(hub);
        await client.PutAsync(new Uri("devices/gw?api-version=2021-04-12", UriKind.Relative), Json("""{"deviceId":"gw"}"""));
        using var first = await client.PutAsync(new Uri("devices/gw/modules/m?api-version=2021-04-12", UriKind.Relative), Json("""{"deviceId":"gw","moduleId":"m"}"""));
        var firstKey = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["authentication"]!["symmetricKey"]!["primaryKey"]!.GetValue<string>();
        using var patch = new HttpRequestMessage(HttpMethod.Patch, new Uri("twins/gw/modules/m?api-version=2021-04-12", UriKind.Relative))
        {
            Content = Json("""{"tags":{"tier":"gold"},"properties":{"desired":{"x":1}}}"""),
        };
        (await client.SendAsync(patch)).EnsureSuccessStatusCode();
        using var delete = new HttpRequestMessage(HttpMethod.Delete, new Uri("devices/gw/modules/m?api-version=2021-04-12", UriKind.Relative));
        delete.Headers.IfMatch.Add(EntityTagHeaderValue.Any);

        using var deleted = await client.SendAsync(delete);
        using var gone = await client.GetAsync(new Uri("twins/gw/modules/m?api-version=2021-04-12", UriKind.Relative));
        using var again = await client.PutAsync(new Uri("devices/gw/modules/m?api-version=2021-04-12", UriKind.Relative), Json("""{"moduleId":"m"}"""));
        var twin = JsonNode.Parse(await client.GetStringAsync(new Uri("twins/gw/modules/m?api-version=2021-04-12", UriKind.Relative)))!;

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("ModuleNotFound", gone.Headers.GetValues("iothub-errorcode").Single());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.NotEqual(firstKey, JsonNode.Parse(await again.Content.ReadAsStringAsync())!["authentication"]!["symmetricKey"]!["primaryKey"]!.GetValue<string>());
        Assert.Equal("{}", twin["tags"]!.ToJsonString());
        Assert.False(twin["properties"]!["desired"]!.AsObject().ContainsKey("x"));
    }

    [Fact]
    public async Task ListDevices_Top_LimitsAndRefusesOutOfRange()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        using var client = Client(hub);
        for (var i = 0; i < 3; i++)
        {
            await hub.Emulator.Registry.AddDeviceAsync($"d{i.ToString(CultureInfo.InvariantCulture)}");
        }

        var two = JsonNode.Parse(await client.GetStringAsync(new Uri("devices?top=2&api-version=2021-04-12", UriKind.Relative)))!.AsArray();
        using var bad = await client.GetAsync(new Uri("devices?top=0&api-version=2021-04-12", UriKind.Relative));
        var statistics = JsonNode.Parse(await client.GetStringAsync(new Uri("statistics/devices?api-version=2021-04-12", UriKind.Relative)))!;

        Assert.Equal(["d0", "d1"], two.Select(d => d!["deviceId"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(3, statistics["totalDeviceCount"]!.GetValue<int>());
        Assert.Equal(3, statistics["enabledDeviceCount"]!.GetValue<int>());
    }
}
