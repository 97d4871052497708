namespace RetailEdge.HubEmulator.Tests;

/// <summary>The official-SDK tests share one emulator on the fixed ports the SDKs dial, so they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class OfficialSdkCollection : ICollectionFixture<OfficialSdkHub>
{
    public const string Name = "official IoT Hub SDKs";
}
