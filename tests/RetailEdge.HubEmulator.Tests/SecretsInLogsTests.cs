using System.Text;
using RetailEdge.IotHub;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>
/// No SAS token, signature or key in any log line, of the hub or of the module client, through a
/// connect, token renewals (reconnects with fresh tokens) and a connect refused for a wrong key.
/// </summary>
public class SecretsInLogsTests
{
    [Fact]
    public async Task ConnectRenewAndRefusedConnect_NoTokenSignatureOrKeyInAnyLogLine()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var module = await hub.Emulator.Registry.AddModuleAsync("store017-gw", "StoreGateway");
        var options = hub.Emulator.ModuleClientOptions("store017-gw", "StoreGateway") with
        {
            TokenTimeToLive = TimeSpan.FromSeconds(3),
            TokenRenewalFraction = 0.5,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
        };
        var tokens = new List<string>();
        await using (var client = new IotHubModuleClient(options, hub.Logs))
        {
            await client.OpenAsync(CancellationToken.None);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (client.TokenRenewals < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "no token renewal");
                await client.SendEventAsync(new IotHubMessage(Encoding.UTF8.GetBytes("{}")), CancellationToken.None);
                await Task.Delay(100);
            }
        }
        var wrongKey = Convert.ToBase64String(new byte[32]);
        await using (var refused = new IotHubModuleClient(options with { Signer = new SharedAccessKeySigner(wrongKey) }, hub.Logs))
        {
            await Assert.ThrowsAsync<IotHubConnectException>(() => refused.OpenAsync(CancellationToken.None));
        }

        var logs = hub.Logs.Text;
        Assert.Contains("reconnecting to present a fresh SAS token", logs, StringComparison.Ordinal);
        Assert.Contains("CONNECT refused", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("SharedAccessSignature", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(module.PrimaryKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(module.PrimaryKey), logs, StringComparison.Ordinal);
    }
}
