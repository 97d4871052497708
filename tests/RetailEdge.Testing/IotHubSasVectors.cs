namespace RetailEdge.Testing;

/// <summary>
/// The SAS test vectors of PROTOCOLS.md (Python quote_plus + HMAC-SHA256, upper-case escapes), shared
/// by the credential tests and the device-side tests that need a valid key or token. The key is a test
/// value, not a secret.
/// </summary>
public static class IotHubSasVectors
{
    public const string Key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    public const long Expiry = 1893456000;

    public const string ModuleVector = "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fstore017-gw%2Fmodules%2FStoreGateway&sig=IH4jVL2hzUxEHE%2FCKgybqV%2BMH0MBrh7KnaVsCQIfRC8%3D&se=1893456000";

    public const string ServiceVector = "SharedAccessSignature sr=myhub.azure-devices.net&sig=khSw3Hu42nfiGmvv0z8UfhaVjclOsrYKOsP3H0wMCJU%3D&se=1893456000&skn=service";
}
