using System.Globalization;
using RetailEdge.Testing;

namespace RetailEdge.IotHub.Credentials.Tests;

public class SharedAccessSignatureTests
{
    // PROTOCOLS.md test vectors (Python quote_plus + HMAC-SHA256, upper-case escapes)
    internal const string Key = IotHubSasVectors.Key;
    internal const long Expiry = IotHubSasVectors.Expiry;
    internal const string ModuleVector = IotHubSasVectors.ModuleVector;
    internal const string ServiceVector = IotHubSasVectors.ServiceVector;

    [Fact]
    public void Create_ModuleVectorWithUpperCaseHex_MatchesProtocolsVector()
    {
        var resource = SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store017-gw", "StoreGateway");

        var token = SharedAccessSignature.Create(resource, Key, Expiry, lowerCaseHex: false);

        Assert.Equal("myhub.azure-devices.net/devices/store017-gw/modules/StoreGateway", resource);
        Assert.Equal(ModuleVector, token);
    }

    [Fact]
    public void Create_ServicePolicyVector_MatchesProtocolsVector()
    {
        var token = SharedAccessSignature.Create("myhub.azure-devices.net", Key, Expiry, keyName: "service", lowerCaseHex: false);

        Assert.Equal(ServiceVector, token);
    }

    [Fact]
    public void Create_DefaultEncoding_UsesLowerCaseHexAndValidates()
    {
        var resource = SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store017-gw", "StoreGateway");

        var token = SharedAccessSignature.Create(resource, Key, Expiry);

        Assert.StartsWith("SharedAccessSignature sr=myhub.azure-devices.net%2fdevices%2fstore017-gw%2fmodules%2fStoreGateway&sig=", token, StringComparison.Ordinal);
        Assert.DoesNotContain("%2F", token, StringComparison.Ordinal);
        var result = SasTokenValidator.Validate(token, resource, DateTimeOffset.FromUnixTimeSeconds(Expiry - 10), Key);
        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ModuleResourceUri_IdsWithReservedCharacters_EncodesEachIdLowerCase()
    {
        var resource = SharedAccessSignature.ModuleResourceUri("h.example", "store:017 gw", "mod@1");

        Assert.Equal("h.example/devices/store%3a017+gw/modules/mod%401", resource);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Create_ComparedWithNodeCrypto_ProducesSameToken(bool lowerCaseHex)
    {
        // a second, independent implementation of the documented algorithm: node's crypto + encodeURIComponent
        const string script = """
            const crypto = require('crypto');
            const [host, device, moduleId, key, se, lower] = process.argv.slice(2);
            const fix = s => lower === 'true' ? s.replace(/%[0-9A-F]{2}/g, m => m.toLowerCase()) : s;
            const enc = s => fix(encodeURIComponent(s));
            const resource = host + '/devices/' + enc(device) + '/modules/' + enc(moduleId);
            const sr = enc(resource);
            const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(sr + '\n' + se).digest('base64');
            console.log('TOKEN=SharedAccessSignature sr=' + sr + '&sig=' + enc(sig) + '&se=' + se);
            """;
        var expiry = 1_900_000_123L;
        var output = await NodeScript.RunAsync(script, TimeSpan.FromSeconds(30),
            "myhub.azure-devices.net", "store042-gw", "StoreGateway", Key, expiry.ToString(CultureInfo.InvariantCulture), lowerCaseHex ? "true" : "false");
        var nodeToken = output.Split('\n').Single(l => l.StartsWith("TOKEN=", StringComparison.Ordinal))["TOKEN=".Length..].Trim();

        var ours = SharedAccessSignature.Create(
            SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store042-gw", "StoreGateway", lowerCaseHex), Key, expiry, lowerCaseHex: lowerCaseHex);

        Assert.Equal(nodeToken, ours);
    }

    [Fact]
    public void DecodeKey_NotBase64_ThrowsWithoutEchoingKey()
    {
        var ex = Assert.Throws<FormatException>(() => SharedAccessSignature.DecodeKey("not*base64*secret"));

        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }
}
