using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RetailEdge.IotHub;

/// <summary>
/// Server-certificate check for the hub or edgeHub: the system trust store first, then the
/// configured roots (the IoT Edge trust bundle or <c>EdgeModuleCACertificateFile</c>). Only a chain
/// that the system does not trust can be rescued by those roots; a wrong host name or a missing
/// certificate never is.
/// </summary>
internal static class TrustBundleValidation
{
    public static bool IsTrusted(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? trustedRoots)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || trustedRoots is not { Count: > 0 })
        {
            return false;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
