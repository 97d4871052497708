using RetailEdge.IotHub.Credentials;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>SAS tokens computed by Node's crypto, independently of our SAS code.</summary>
public static class NodeSas
{
    public const string Script = """
        const crypto = require('crypto');
        const [resource, key, expiry] = process.argv.slice(2);
        const sr = encodeURIComponent(resource);
        const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(sr + '\n' + expiry).digest('base64');
        console.log(`SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${expiry}`);
        """;

    public static async Task<string> TokenAsync(string resource, string key, DateTimeOffset expiry)
    {
        var output = await NodeScript.RunAsync(Script, TimeSpan.FromSeconds(20), resource, key, expiry.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        return output.Trim();
    }
}
