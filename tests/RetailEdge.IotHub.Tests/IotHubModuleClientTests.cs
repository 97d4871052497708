using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHub.Tests;

public class IotHubModuleClientTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task OpenAsync_ModuleKey_HubValidatesTokenAndReportsConnected()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        var statuses = new ConcurrentQueue<IotHubConnectionStatus>();
        client.ConnectionStatusChanged += (_, e) => statuses.Enqueue(e.Status);

        await client.OpenAsync(None);

        Assert.Equal(IotHubConnectionStatus.Connected, client.Status);
        Assert.Equal(1, hub.Connections);
        var token = Assert.Single(hub.AcceptedTokens);
        Assert.Contains("sr=testhub.azure-devices.net%2fdevices%2fstore017-gw%2fmodules%2fStoreGateway", token, StringComparison.Ordinal);
        Assert.Equal([IotHubConnectionStatus.Connecting, IotHubConnectionStatus.Connected], statuses);
    }

    [Fact]
    public async Task OpenAsync_WrongKey_ThrowsNotAuthorizedAfterOneFreshTokenRetry()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions(key: "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="));

        var ex = await Assert.ThrowsAsync<IotHubConnectException>(() => client.OpenAsync(None));

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, ex.ResultCode);
        Assert.True(ex.IsAuthenticationFailure);
        Assert.Equal(2, hub.Refused);
        Assert.Equal(IotHubConnectionStatus.Disconnected, client.Status);
    }

    [Fact]
    public void Constructor_InvalidOptions_NamesTheSetting()
    {
        var options = new IotHubModuleClientOptions { HostName = "h.example", DeviceId = "d/x", ModuleId = "m", Signer = new SharedAccessKeySigner(FakeIotHub.Key) };

        var ex = Assert.Throws<ArgumentException>(() => new IotHubModuleClient(options));

        Assert.Contains("DeviceId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendEventAsync_OutputAndProperties_HubGetsTelemetryTopicWithBagAndBody()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);
        var message = new IotHubMessage(Encoding.UTF8.GetBytes("{\"sales\":3}"))
        {
            MessageId = "batch-1",
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            Properties = new Dictionary<string, string> { ["store"] = "017" },
        };

        await client.SendEventAsync("upstream", message, None);

        var (topic, payload) = await hub.Telemetry.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("devices/store017-gw/modules/StoreGateway/messages/events/%24.mid=batch-1&%24.ct=application%2fjson&%24.ce=utf-8&%24.on=upstream&store=017", topic);
        Assert.True(IotHubTopics.TryParseTelemetry(topic, out var parsed));
        Assert.True(IotHubMessage.TryFromPropertyBag(payload, parsed.PropertyBag, out var received, out _));
        Assert.Equal("upstream", received.OutputName);
        Assert.Equal("{\"sales\":3}", Encoding.UTF8.GetString(payload));
    }

    [Fact]
    public async Task SendEventAsync_HubAcknowledgesAfterStoring_CompletesOnlyAfterPuback()
    {
        await using var hub = await FakeIotHub.StartAsync();
        hub.TelemetryAckDelay = TimeSpan.FromMilliseconds(400);
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);

        var started = System.Diagnostics.Stopwatch.StartNew();
        await client.SendEventAsync(new IotHubMessage(new byte[] { 1 }), None);

        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(350), $"completed after {started.Elapsed.TotalMilliseconds} ms, before the PUBACK");
        Assert.True(hub.Telemetry.Reader.TryRead(out _));
    }

    [Fact]
    public async Task SendEventAsync_Over256KbCountingProperties_ThrowsAndSendsNothing()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);
        var message = new IotHubMessage(new byte[IotHubMessage.MaxSize - 4]) { Properties = new Dictionary<string, string> { ["abc"] = "de" } };

        await Assert.ThrowsAsync<MessageTooLargeException>(() => client.SendEventAsync(message, None));

        await client.SendEventAsync(new IotHubMessage(new byte[IotHubMessage.MaxSize - 5]) { Properties = new Dictionary<string, string> { ["abc"] = "de" } }, None);
        var (_, payload) = await hub.Telemetry.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(IotHubMessage.MaxSize - 5, payload.Length);
    }

    [Fact]
    public async Task GetTwinAsync_Connected_ReturnsDesiredAndReportedWithVersions()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await hub.SendDesiredPatchAsync(new JsonObject { ["batchSeconds"] = 60 });
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);

        var twin = await client.GetTwinAsync(None);

        Assert.Equal(2, twin.DesiredVersion);
        Assert.Equal(60, twin.Desired["batchSeconds"]!.GetValue<int>());
        Assert.Equal(1, twin.ReportedVersion);
    }

    [Fact]
    public async Task UpdateReportedPropertiesAsync_Patch_ReturnsNewVersionAndHubMerges()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);

        var first = await client.UpdateReportedPropertiesAsync(new JsonObject { ["health"] = "ok", ["queue"] = 3 }, None);
        var second = await client.UpdateReportedPropertiesAsync(new JsonObject { ["queue"] = null }, None);

        Assert.Equal(2, first);
        Assert.Equal(3, second);
        var reported = hub.ReportedSnapshot();
        Assert.Equal("ok", reported["health"]!.GetValue<string>());
        Assert.False(reported.ContainsKey("queue"));
    }

    [Fact]
    public async Task UpdateReportedPropertiesAsync_HubAnswers429_ThrowsTransientIotHubException()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);
        hub.FailNextReportedPatch(429);

        var ex = await Assert.ThrowsAsync<IotHubException>(() => client.UpdateReportedPropertiesAsync(new JsonObject { ["a"] = 1 }, None));

        Assert.Equal(429, ex.Status);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task GetTwinAsync_NoAnswer_TimesOutAfterOperationTimeout()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions() with { OperationTimeout = TimeSpan.FromMilliseconds(300) });
        await client.OpenAsync(None);
        hub.IgnoreTwinRequests = true;

        await Assert.ThrowsAsync<TimeoutException>(() => client.GetTwinAsync(None));
    }

    [Fact]
    public async Task DesiredHandler_ConnectPatchesAndReconnect_FullTwinFirstThenOnlyNewerPatches()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await hub.SendDesiredPatchAsync(new JsonObject { ["batchSeconds"] = 60 });
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        var updates = new ConcurrentQueue<DesiredPropertiesUpdate>();
        await client.SetDesiredPropertyUpdateHandlerAsync((u, _) => { updates.Enqueue(u); return Task.CompletedTask; }, None);

        await client.OpenAsync(None);
        await Wait.UntilAsync(() => updates.Count == 1, "the full twin after connect");
        var full = updates.Single();
        Assert.True(full.IsFullTwin);
        Assert.Equal(2, full.Version);
        Assert.Equal(60, full.Properties["batchSeconds"]!.GetValue<int>());

        // an old patch (version ≤ the twin read) is ignored, a newer one is delivered
        await hub.SendRawDesiredPatchAsync(2, new JsonObject { ["batchSeconds"] = 1, ["$version"] = 2 });
        await hub.SendDesiredPatchAsync(new JsonObject { ["batchSeconds"] = 30 });
        await Wait.UntilAsync(() => updates.Count == 2, "the newer patch");
        var patch = updates.Last();
        Assert.False(patch.IsFullTwin);
        Assert.Equal(3, patch.Version);
        Assert.Equal(30, patch.Properties["batchSeconds"]!.GetValue<int>());
        Assert.Equal(1, client.IgnoredDesiredPatches);

        // after a reconnect the full twin is read again (subscribe, then GET)
        var getsBefore = hub.TwinGets;
        Assert.True(await hub.DisconnectModuleAsync());
        await Wait.UntilAsync(() => updates.Count == 3, "the full twin after reconnect");
        Assert.True(updates.Last().IsFullTwin);
        Assert.Equal(3, updates.Last().Version);
        Assert.True(hub.TwinGets > getsBefore);
    }

    [Fact]
    public async Task DesiredHandler_SetWhileReconnecting_FullTwinOnceBackThenPatches()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await hub.SendDesiredPatchAsync(new JsonObject { ["batchSeconds"] = 60 });
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);
        hub.Unavailable = true;
        Assert.True(await hub.DisconnectModuleAsync());
        await Wait.UntilAsync(() => client.Status == IotHubConnectionStatus.Reconnecting, "the client to notice the outage");

        // no connection to subscribe on now: the reconnect subscribes, and must then read the twin
        var updates = new ConcurrentQueue<DesiredPropertiesUpdate>();
        try
        {
            await client.SetDesiredPropertyUpdateHandlerAsync((u, _) => { updates.Enqueue(u); return Task.CompletedTask; }, None);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            // not connected: the handler stays set
        }
        hub.Unavailable = false;

        await Wait.UntilAsync(() => updates.Count == 1, "the full twin after the reconnect", seconds: 30);
        Assert.True(updates.Single().IsFullTwin);
        Assert.Equal(2, updates.Single().Version);
        await hub.SendDesiredPatchAsync(new JsonObject { ["batchSeconds"] = 30 });
        await Wait.UntilAsync(() => updates.Count == 2, "the patch made after the reconnect", seconds: 30);
        Assert.Equal(3, updates.Last().Version);
    }

    [Fact]
    public async Task MethodHandlers_CallKnownUnknownAndFailing_AnswerWithStatusAndPayload()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.SetMethodHandlerAsync("echo", (r, _) => Task.FromResult(new MethodResponse(200, r.Payload)), None);
        await client.SetMethodHandlerAsync("fail", (_, _) => throw new InvalidOperationException("boom"), None);
        await client.OpenAsync(None);

        var echo = await hub.InvokeMethodAsync("echo", "{\"n\":1}", TimeSpan.FromSeconds(10));
        var unknown = await hub.InvokeMethodAsync("reboot", "{}", TimeSpan.FromSeconds(10));
        var failing = await hub.InvokeMethodAsync("fail", "{}", TimeSpan.FromSeconds(10));

        Assert.Equal((200, "{\"n\":1}"), echo);
        Assert.Equal(501, unknown.Status);
        Assert.Contains("reboot", unknown.Payload, StringComparison.Ordinal);
        Assert.Equal(500, failing.Status);
    }

    [Fact]
    public async Task MethodHandler_ResponseOver128Kb_AnswersStatus500()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.SetMethodHandlerAsync("dump", (_, _) => Task.FromResult(new MethodResponse(200, new byte[MethodResponse.MaxPayloadSize + 1])), None);
        await client.OpenAsync(None);

        var (status, payload) = await hub.InvokeMethodAsync("dump", "{}", TimeSpan.FromSeconds(10));

        Assert.Equal(500, status);
        Assert.Contains("128 KB", payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateReportedPropertiesAsync_Over32Kb_ThrowsWithoutSending()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);

        await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateReportedPropertiesAsync(new JsonObject { ["big"] = new string('x', 33 * 1024) }, None));

        Assert.False(hub.ReportedSnapshot().ContainsKey("big"));
    }

    [Fact]
    public async Task MethodHandler_SetAfterOpen_SubscribesAndAnswers()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);

        await client.SetMethodHandlerAsync("ping", (_, _) => Task.FromResult(MethodResponse.Json(200, "\"pong\"")), None);

        Assert.Equal((200, "\"pong\""), await hub.InvokeMethodAsync("ping", "null", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task InputHandler_CompletionControlsAcknowledgement()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new ConcurrentQueue<IotHubInputMessage>();
        await client.SetInputMessageHandlerAsync("refdata", async (m, ct) =>
        {
            received.Enqueue(m);
            await release.Task.WaitAsync(ct);
            return MessageResponse.Completed;
        }, None);
        await client.OpenAsync(None);

        var delivery = hub.SendInputAsync("refdata", new IotHubMessage(Encoding.UTF8.GetBytes("prices")) { MessageId = "r1", Properties = new Dictionary<string, string> { ["kind"] = "prices" } });
        await Wait.UntilAsync(() => received.Count == 1, "the input message");
        await Task.Delay(200);
        Assert.False(delivery.IsCompleted, "acknowledged before the handler completed");

        release.SetResult();
        Assert.True(await delivery.WaitAsync(TimeSpan.FromSeconds(10)));
        var message = received.Single();
        Assert.Equal("refdata", message.InputName);
        Assert.Equal("r1", message.Message.MessageId);
        Assert.Equal("prices", message.Message.Properties["kind"]);
        Assert.Equal("prices", Encoding.UTF8.GetString(message.Message.Body.Span));
    }

    [Fact]
    public async Task InputHandler_AbandonedThenReconnect_HubRedeliversUntilCompleted()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        var received = new ConcurrentQueue<IotHubInputMessage>();
        await client.SetInputMessageHandlerAsync("orders", (m, _) =>
        {
            received.Enqueue(m);
            // the first delivery is not durably handled (e.g. the local store was busy)
            return Task.FromResult(received.Count == 1 ? MessageResponse.Abandoned : MessageResponse.Completed);
        }, None);
        await client.OpenAsync(None);

        _ = hub.SendInputAsync("orders", new IotHubMessage(Encoding.UTF8.GetBytes("o-1")) { MessageId = "o-1" });
        await Wait.UntilAsync(() => received.Count == 1, "the first delivery");
        Assert.True(await hub.DisconnectModuleAsync());

        await Wait.UntilAsync(() => received.Count == 2, "the redelivery after reconnect");
        var redelivered = received.Last();
        Assert.True(redelivered.IsRedelivery);
        Assert.Equal("o-1", redelivered.Message.MessageId);
        Assert.False(received.First().IsRedelivery);
    }

    [Fact]
    public async Task InputHandler_MalformedBag_RaisesEventWithRawInputAndKeepsGoing()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        var received = new ConcurrentQueue<IotHubInputMessage>();
        var malformed = new ConcurrentQueue<MalformedMessageEventArgs>();
        client.MalformedMessageReceived += (_, e) => malformed.Enqueue(e);
        await client.SetDefaultInputMessageHandlerAsync((m, _) => { received.Enqueue(m); return Task.FromResult(MessageResponse.Completed); }, None);
        await client.OpenAsync(None);

        var badTopic = IotHubTopics.Input(FakeIotHub.DeviceId, FakeIotHub.ModuleId, "in1", "a=%zz");
        Assert.True(await hub.SendRawInputAsync(badTopic, Encoding.UTF8.GetBytes("raw")).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await hub.SendInputAsync("in2", new IotHubMessage(Encoding.UTF8.GetBytes("good"))).WaitAsync(TimeSpan.FromSeconds(10)));

        var bad = Assert.Single(malformed);
        Assert.Equal(badTopic, bad.Topic);
        Assert.Equal("raw", Encoding.UTF8.GetString(bad.Payload.Span));
        Assert.Equal(1, client.MalformedMessages);
        Assert.Equal("in2", Assert.Single(received).InputName);
    }

    [Fact]
    public async Task HubDropsConnection_ClientReconnectsAndKeepsSending()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        var statuses = new ConcurrentQueue<IotHubConnectionStatus>();
        client.ConnectionStatusChanged += (_, e) => statuses.Enqueue(e.Status);
        await client.OpenAsync(None);

        Assert.True(await hub.DisconnectModuleAsync());
        await client.SendEventAsync(new IotHubMessage(Encoding.UTF8.GetBytes("after")), None);

        var (_, payload) = await hub.Telemetry.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("after", Encoding.UTF8.GetString(payload));
        Assert.Equal(2, hub.Connections);
        await Wait.UntilAsync(() => client.Status == IotHubConnectionStatus.Connected, "connected again");
        Assert.Contains(IotHubConnectionStatus.Reconnecting, statuses);
    }

    [Fact]
    public async Task TokenRenewal_ShortLifetime_ReconnectsWithFreshTokenAndLosesNoTelemetry()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions() with { TokenTimeToLive = TimeSpan.FromSeconds(4), TokenRenewalFraction = 0.6 });
        await client.OpenAsync(None);

        // renewal is due 1.6 s after each token is issued; send across at least one renewal
        var sent = 0;
        var deadline = DateTime.UtcNow.AddSeconds(3.5);
        while (DateTime.UtcNow < deadline)
        {
            await client.SendEventAsync(new IotHubMessage(Encoding.UTF8.GetBytes(sent.ToString(System.Globalization.CultureInfo.InvariantCulture))), None);
            sent++;
            await Task.Delay(50);
        }

        var seen = new HashSet<string>();
        while (seen.Count < sent)
        {
            var (_, payload) = await hub.Telemetry.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            seen.Add(Encoding.UTF8.GetString(payload));
        }
        Assert.True(client.TokenRenewals >= 1, $"renewals: {client.TokenRenewals}");
        Assert.True(hub.Connections >= 2, $"connections: {hub.Connections}");
        Assert.Equal(hub.AcceptedTokens.Count, hub.AcceptedTokens.Distinct().Count());
        Assert.Equal(0, hub.Refused);
    }

    [Fact]
    public async Task CloseAsync_ThenOpenAgain_Works()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = new IotHubModuleClient(hub.ClientOptions());
        await client.OpenAsync(None);

        await client.CloseAsync(None);
        Assert.Equal(IotHubConnectionStatus.Closed, client.Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendEventAsync(new IotHubMessage(new byte[1]), None));
        await client.OpenAsync(None);
        await client.SendEventAsync(new IotHubMessage(new byte[] { 7 }), None);

        var (_, payload) = await hub.Telemetry.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([7], payload);
    }
}
