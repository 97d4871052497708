
namespace RetailEdge.IotHub.Credentials.Tests;

public class SasTokenValidatorTests
{
    private const string Key = SharedAccessSignatureTests.Key;
    private const string OtherKey = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    private static readonly DateTimeOffset BeforeExpiry = DateTimeOffset.FromUnixTimeSeconds(SharedAccessSignatureTests.Expiry - 60);
    private static readonly string ModuleResource = SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store017-gw", "StoreGateway");

    [Fact]
    public void Validate_ProtocolsVector_IsValid()
    {
        var result = SasTokenValidator.Validate(SharedAccessSignatureTests.ModuleVector, ModuleResource, BeforeExpiry, Key);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal("myhub.azure-devices.net/devices/store017-gw/modules/StoreGateway", result.Token!.Resource);
    }

    [Fact]
    public void Validate_AfterExpiry_Expired()
    {
        var result = SasTokenValidator.Validate(SharedAccessSignatureTests.ModuleVector, ModuleResource, DateTimeOffset.FromUnixTimeSeconds(SharedAccessSignatureTests.Expiry), Key);

        Assert.Equal(SasValidationError.Expired, result.Error);
    }

    [Fact]
    public void Validate_WrongKey_SignatureMismatch()
    {
        var result = SasTokenValidator.Validate(SharedAccessSignatureTests.ModuleVector, ModuleResource, BeforeExpiry, OtherKey);

        Assert.Equal(SasValidationError.SignatureMismatch, result.Error);
    }

    [Fact]
    public void Validate_SecondaryKeyMatches_IsValid()
    {
        var result = SasTokenValidator.Validate(SharedAccessSignatureTests.ModuleVector, ModuleResource, BeforeExpiry, OtherKey, Key);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void Validate_TamperedExpiry_SignatureMismatch()
    {
        var tampered = SharedAccessSignatureTests.ModuleVector.Replace("se=1893456000", "se=1893456999", StringComparison.Ordinal);

        var result = SasTokenValidator.Validate(tampered, ModuleResource, BeforeExpiry, Key);

        Assert.Equal(SasValidationError.SignatureMismatch, result.Error);
    }

    [Fact]
    public void Validate_OtherModule_ResourceMismatch()
    {
        var other = SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store017-gw", "Other");

        var result = SasTokenValidator.Validate(SharedAccessSignatureTests.ModuleVector, other, BeforeExpiry, Key);

        Assert.Equal(SasValidationError.ResourceMismatch, result.Error);
    }

    [Fact]
    public void Validate_DeviceScopedTokenForItsModule_IsValid()
    {
        var deviceToken = SharedAccessSignature.Create(SharedAccessSignature.DeviceResourceUri("myhub.azure-devices.net", "store017-gw"), Key, SharedAccessSignatureTests.Expiry);

        var result = SasTokenValidator.Validate(deviceToken, ModuleResource, BeforeExpiry, Key);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void Validate_PrefixNotAtSlashBoundary_ResourceMismatch()
    {
        var token = SharedAccessSignature.Create(SharedAccessSignature.DeviceResourceUri("myhub.azure-devices.net", "store017-g"), Key, SharedAccessSignatureTests.Expiry);

        var result = SasTokenValidator.Validate(token, ModuleResource, BeforeExpiry, Key);

        Assert.Equal(SasValidationError.ResourceMismatch, result.Error);
    }

    [Fact]
    public void Validate_ResourceDiffersOnlyInCase_IsValid()
    {
        var token = SharedAccessSignature.Create("MyHub.Azure-Devices.net/devices/store017-gw/modules/storegateway", Key, SharedAccessSignatureTests.Expiry);

        var result = SasTokenValidator.Validate(token, ModuleResource, BeforeExpiry, Key);

        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("SharedAccessSignature sr=a&sig=b")]
    [InlineData("SharedAccessSignature sr=a&sig=b&se=soon")]
    [InlineData("SharedAccessSignature sr=a&sig=b&se=1&se=2")]
    [InlineData("SharedAccessSignature sr=a%zz&sig=b&se=1")]
    [InlineData("SharedAccessSignature sr&sig=b&se=1")]
    public void Validate_MalformedToken_Malformed(string? token)
    {
        var result = SasTokenValidator.Validate(token, ModuleResource, BeforeExpiry, Key);

        Assert.Equal(SasValidationError.Malformed, result.Error);
    }

    [Fact]
    public void Validate_TooLongToken_Malformed()
    {
        var result = SasTokenValidator.Validate("SharedAccessSignature sr=" + new string('a', 5000) + "&sig=x&se=1", ModuleResource, BeforeExpiry, Key);

        Assert.Equal(SasValidationError.Malformed, result.Error);
    }

    [Fact]
    public void ValidatePolicy_ServiceVector_IsValid()
    {
        var result = SasTokenValidator.ValidatePolicy(SharedAccessSignatureTests.ServiceVector, "myhub.azure-devices.net", "service",
            [SharedAccessSignature.DecodeKey(Key)], BeforeExpiry);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ValidatePolicy_OtherPolicyName_KeyNameMismatch()
    {
        var result = SasTokenValidator.ValidatePolicy(SharedAccessSignatureTests.ServiceVector, "myhub.azure-devices.net", "iothubowner",
            [SharedAccessSignature.DecodeKey(Key)], BeforeExpiry);

        Assert.Equal(SasValidationError.KeyNameMismatch, result.Error);
    }

    [Fact]
    public void Validate_PolicyTokenForDeviceIdentity_KeyNameMismatch()
    {
        var result = SasTokenValidator.Validate(SharedAccessSignatureTests.ServiceVector, ModuleResource, BeforeExpiry, Key);

        Assert.Equal(SasValidationError.KeyNameMismatch, result.Error);
    }

    [Fact]
    public void SasToken_ToString_HidesSignature()
    {
        var token = SasToken.Parse(SharedAccessSignatureTests.ModuleVector);

        Assert.DoesNotContain("IH4jVL2h", token.ToString(), StringComparison.Ordinal);
        Assert.Equal("IH4jVL2hzUxEHE/CKgybqV+MH0MBrh7KnaVsCQIfRC8=", token.Signature);
        Assert.Equal("myhub.azure-devices.net%2Fdevices%2Fstore017-gw%2Fmodules%2FStoreGateway", token.EncodedResource);
    }
}
