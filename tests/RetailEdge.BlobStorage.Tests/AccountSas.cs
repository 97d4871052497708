using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RetailEdge.BlobStorage.Tests;

/// <summary>Builds an account SAS (Create an account SAS, signed version 2020-08-04) for SAS tests.</summary>
public static class AccountSas
{
    public static string Create(string accountName, string accountKey, string permissions, DateTimeOffset expiry)
    {
        const string version = "2020-08-04";
        var expiryText = expiry.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        // accountname, permissions, services, resource types, start, expiry, IP, protocol, version
        var stringToSign = string.Join('\n', accountName, permissions, "b", "sco", string.Empty, expiryText, string.Empty, "https,http", version) + "\n";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(accountKey), Encoding.UTF8.GetBytes(stringToSign)));
        return $"sv={version}&ss=b&srt=sco&sp={permissions}&se={Uri.EscapeDataString(expiryText)}&spr=https,http&sig={Uri.EscapeDataString(signature)}";
    }
}
