using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MQTTnet;
using RetailEdge.StoreGateway.Core;
using RetailEdge.Testing;
using StoreGateway;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>
/// Only the store's lanes and scales may post events: HTTP ingest needs the store's key and a JSON
/// media type, the store broker needs a user, and the key shows up in no log line and no health
/// document.
/// </summary>
public class IngestSecurityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.FromHours(1));

    private static ByteArrayContent Json(byte[] body, string mediaType = "application/json")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        return content;
    }

    [Fact]
    public async Task PostEvents_NoOrWrongKey_401AndNothingJournaled()
    {
        using var directory = new TempDirectory("gateway-auth");
        await using var host = await GatewayHost.StartAsync(directory.Path, Now);
        using var anonymous = host.CreateClient(key: null);
        using var wrong = host.CreateClient(key: "not-the-store-key-000000");
        using var wrongApiKey = host.CreateClient(key: null);
        wrongApiKey.DefaultRequestHeaders.Add(IngestKeyCheck.ApiKeyHeader, GatewayHost.IngestKey + "x");
        using var basic = host.CreateClient(key: null);
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("lane:" + GatewayHost.IngestKey)));

        foreach (var client in new[] { anonymous, wrong, wrongApiKey, basic })
        {
            using var response = await client.PostAsync("events", Json(PoisonEventTests.Weighing("w-" + Guid.NewGuid().ToString("N"))));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("unauthorized", body.RootElement.GetProperty("reason").GetString());
        }

        var status = await host.Engine.GetStatusAsync(CancellationToken.None);
        Assert.Equal((0, 0), (status.Accepted, status.Rejected));
        Assert.Empty(await host.Engine.ReadQuarantineAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData(null)]
    public async Task PostEvents_NotJsonMediaType_415AndNothingJournaled(string? mediaType)
    {
        using var directory = new TempDirectory("gateway-media");
        await using var host = await GatewayHost.StartAsync(directory.Path, Now);
        using var http = host.CreateClient();
        var content = new ByteArrayContent(PoisonEventTests.Weighing("w-media"));
        if (mediaType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        }

        using var response = await http.PostAsync("events", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, (await host.Engine.GetStatusAsync(CancellationToken.None)).Accepted);
    }

    [Theory]
    [InlineData("Bearer", "application/json")]
    [InlineData("X-Api-Key", "application/x-ndjson")]
    [InlineData("Bearer", "application/json; charset=utf-8")]
    public async Task PostEvents_StoreKey_Accepted(string scheme, string mediaType)
    {
        using var directory = new TempDirectory("gateway-key");
        await using var host = await GatewayHost.StartAsync(directory.Path, Now);
        using var http = host.CreateClient(key: scheme == "Bearer" ? GatewayHost.IngestKey : null);
        if (scheme != "Bearer")
        {
            http.DefaultRequestHeaders.Add(scheme, GatewayHost.IngestKey);
        }

        using var response = await http.PostAsync("events", Json(PoisonEventTests.Weighing("w-key"), mediaType));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await host.Engine.GetStatusAsync(CancellationToken.None)).Accepted);
    }

    [Fact]
    public async Task Gateway_KeyFromFileUsedAndWrongTried_KeyInNoLogLineAndNotInHealth()
    {
        using var directory = new TempDirectory("gateway-secret");
        var keyFile = directory.Combine("ingest-key");
        await File.WriteAllTextAsync(keyFile, GatewayHost.IngestKey + "\n");
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>
        {
            ["StoreGateway__IngestKeyFile"] = keyFile,
            ["StoreGateway__IngestKey"] = "",
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
        };
        await using var process = GatewayProcess.Start(directory.Combine("data"), port, environment);
        using var http = GatewayProcess.CreateClient(port);
        var health = await GatewayProcess.WaitHealthyAsync(http, process);
        using (var accepted = await http.PostAsync("events", Json(Encoding.UTF8.GetBytes("""{"type":"weighing","id":"w-1","storeId":17,"ts":"2026-01-01T00:00:00Z","scaleId":"S1","itemId":7,"netKg":1,"pricePerKg":1,"labelPrinted":true}"""))))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        using var wrong = GatewayProcess.CreateClient(port);
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.IngestKey[..^1]);
        using (var refused = await wrong.PostAsync("events", Json("{}"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        health += await http.GetStringAsync("health");

        // /health shows the engine's status snapshot, refreshed by its loop after the commit.
        await GatewayModuleTestsSupport.WaitUntilAsync(() =>
        {
            using var document = JsonDocument.Parse(http.GetStringAsync("health").GetAwaiter().GetResult());
            return document.RootElement.GetProperty("ingestKey").GetString() == "configured" && document.RootElement.GetProperty("accepted").GetInt64() == 1;
        }, 30_000);
        // Trace logging prints every request; the key (or the part of it the wrong client sent) never.
        await GatewayModuleTestsSupport.WaitUntilAsync(() => process.Output.Contains("/events", StringComparison.Ordinal), 30_000);
        Assert.DoesNotContain(GatewayHost.IngestKey[..^1], process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayHost.IngestKey[..^1], health, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_SecretsFromFilesAndPrinted_NeverInTheText()
    {
        using var directory = new TempDirectory("gateway-options");
        var key = directory.Combine("key");
        var password = directory.Combine("password");
        File.WriteAllText(key, "  file-ingest-key-0123456789\n");
        File.WriteAllText(password, "broker-password-42");
        var options = new StoreGatewayOptions
        {
            StoreId = 1, GatewayId = "gw", IngestKeyFile = key, MqttUsername = "storegateway", MqttPasswordFile = password, ConnectionString = "HostName=h;SharedAccessKey=c2VjcmV0",
        }.WithSecretsFromFiles();
        options.Validate();

        Assert.Equal("file-ingest-key-0123456789", options.IngestKey);
        Assert.Equal("broker-password-42", options.MqttPassword);
        var text = options.ToString();
        Assert.DoesNotContain("file-ingest-key", text, StringComparison.Ordinal);
        Assert.DoesNotContain("broker-password", text, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", text, StringComparison.Ordinal);
        Assert.Throws<StoreGatewayConfigurationException>(() => (options with { IngestKey = "short" }).Validate());
        Assert.Throws<StoreGatewayConfigurationException>(() => (options with { HttpBindAddress = "anywhere" }).Validate());
        var missing = Assert.Throws<StoreGatewayConfigurationException>(() => (new StoreGatewayOptions { IngestKeyFile = directory.Combine("none") }).WithSecretsFromFiles());
        Assert.Contains("StoreGateway:IngestKeyFile", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mqtt_BrokerWithUsers_AnonymousRefusedGatewaySignsInAndJournals()
    {
        var users = new Dictionary<string, string> { ["storegateway"] = "gw-password-1", ["lane"] = "lane-password-2" };
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: null, users);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await StoreBrokerPublisher.ConnectResultAsync(broker, "intruder"));
        using var directory = new TempDirectory("gateway-mqtt-auth");
        await using var host = await GatewayHost.StartAsync(directory.Path, Now, new Dictionary<string, string?>
        {
            ["StoreGateway:MqttHost"] = broker.Host,
            ["StoreGateway:MqttPort"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["StoreGateway:MqttUsername"] = "storegateway",
            ["StoreGateway:MqttPassword"] = "gw-password-1",
        });
        await host.WaitForMqttSubscriptionAsync();
        using var lane = await StoreBrokerPublisher.ConnectAsync(broker, "lane-1", "lane", "lane-password-2");
        await lane.PublishAsync("store/1/scale/S1", PoisonEventTests.Weighing("w-signed-in"));

        await GatewayModuleTestsSupport.WaitUntilAsync(() => host.Engine.Status.Accepted == 1, 30_000);
    }
}
