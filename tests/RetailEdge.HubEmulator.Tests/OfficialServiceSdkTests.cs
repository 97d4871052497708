using System.Text.Json.Nodes;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>
/// Microsoft's service SDK for Node (azure-iothub) against the emulator, connecting as a user
/// would: the service connection string, https on port 443 of the hub host name.
/// </summary>
[Collection(OfficialSdkCollection.Name)]
public class OfficialServiceSdkTests(OfficialSdkHub hub)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Registry_DevicesAndModules_CreateGetListDeleteWithSdkErrorTypes()
    {
        const string script = """
            const { Registry } = require('azure-iothub');
            const [cs, deviceId, givenKey] = process.argv.slice(2);
            const registry = Registry.fromConnectionString(cs);
            const expectError = async (call) => { try { await call(); return 'none'; } catch (e) { return errorName(e); } };
            (async () => {
              const out = {};
              const created = (await registry.create({ deviceId })).responseBody;
              out.createdKeyBytes = Buffer.from(created.authentication.symmetricKey.primaryKey, 'base64').length;
              out.secondaryKeyBytes = Buffer.from(created.authentication.symmetricKey.secondaryKey, 'base64').length;
              out.duplicate = await expectError(() => registry.create({ deviceId }));
              const got = (await registry.get(deviceId)).responseBody;
              out.sameKey = got.authentication.symmetricKey.primaryKey === created.authentication.symmetricKey.primaryKey;
              out.sameEtag = got.etag === created.etag;
              out.status = got.status;
              const updated = (await registry.update({ deviceId, status: 'disabled', authentication: got.authentication })).responseBody;
              out.updatedStatus = updated.status;
              out.etagMoved = updated.etag !== created.etag;
              out.listed = (await registry.list()).responseBody.map(d => d.deviceId).includes(deviceId);
              const stats = (await registry.getRegistryStatistics()).responseBody;
              out.disabledDevices = stats.disabledDeviceCount;
              await registry.addModule({ deviceId, moduleId: 'generated' });
              await registry.addModule({ deviceId, moduleId: 'given', authentication: { type: 'sas', symmetricKey: { primaryKey: givenKey, secondaryKey: givenKey } } });
              out.modules = (await registry.getModulesOnDevice(deviceId)).responseBody.map(m => m.moduleId).sort();
              const given = (await registry.getModule(deviceId, 'given')).responseBody;
              out.givenKeyKept = given.authentication.symmetricKey.primaryKey === givenKey;
              const generated = (await registry.getModule(deviceId, 'generated')).responseBody;
              out.generatedKeyBytes = Buffer.from(generated.authentication.symmetricKey.primaryKey, 'base64').length;
              out.staleModuleUpdate = await expectError(() => registry.updateModule({ ...generated, etag: 'c3RhbGU=' }));
              await registry.removeModule(deviceId, 'generated');
              out.modulesAfterRemove = (await registry.getModulesOnDevice(deviceId)).responseBody.map(m => m.moduleId);
              await registry.delete(deviceId);
              out.getAfterDelete = await expectError(() => registry.get(deviceId));
              out.deleteAgain = await expectError(() => registry.delete(deviceId));
              out.unknownModuleTwin = await expectError(() => registry.getModuleTwin(deviceId, 'given'));
              result(out);
            })().catch(fail);
            """;
        var givenKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

        var result = await hub.RunAsync(script, ScriptTimeout, hub.ServiceConnectionString, "sdk-registry-gw", givenKey);

        Assert.Equal(32, result["createdKeyBytes"]!.GetValue<int>());
        Assert.Equal(32, result["secondaryKeyBytes"]!.GetValue<int>());
        Assert.Equal("DeviceAlreadyExistsError", result["duplicate"]!.GetValue<string>());
        Assert.True(result["sameKey"]!.GetValue<bool>());
        Assert.True(result["sameEtag"]!.GetValue<bool>());
        Assert.Equal("enabled", result["status"]!.GetValue<string>());
        Assert.Equal("disabled", result["updatedStatus"]!.GetValue<string>());
        Assert.True(result["etagMoved"]!.GetValue<bool>());
        Assert.True(result["listed"]!.GetValue<bool>());
        Assert.True(result["disabledDevices"]!.GetValue<int>() >= 1);
        Assert.Equal("""["generated","given"]""", result["modules"]!.ToJsonString());
        Assert.True(result["givenKeyKept"]!.GetValue<bool>());
        Assert.Equal(32, result["generatedKeyBytes"]!.GetValue<int>());
        Assert.Equal("InvalidEtagError", result["staleModuleUpdate"]!.GetValue<string>());
        Assert.Equal("""["given"]""", result["modulesAfterRemove"]!.ToJsonString());
        Assert.Equal("DeviceNotFoundError", result["getAfterDelete"]!.GetValue<string>());
        Assert.Equal("DeviceNotFoundError", result["deleteAgain"]!.GetValue<string>());
        Assert.NotEqual("none", result["unknownModuleTwin"]!.GetValue<string>());
        Assert.Null(hub.Emulator.Registry.FindDevice("sdk-registry-gw"));
    }

    [Fact]
    public async Task ModuleTwin_TagsDesiredETagAndQueryWithContinuation()
    {
        for (var i = 0; i < 5; i++)
        {
            await hub.Emulator.Registry.AddModuleAsync($"sdk-twin-gw{i}", "StoreGateway");
        }
        const string script = """
            const { Registry } = require('azure-iothub');
            const [cs] = process.argv.slice(2);
            const registry = Registry.fromConnectionString(cs);
            (async () => {
              const out = {};
              const read = (await registry.getModuleTwin('sdk-twin-gw0', 'StoreGateway')).responseBody;
              const patch = { tags: { tier: 'gold', region: { name: 'north' } }, properties: { desired: { windowSeconds: 60 } } };
              const updated = (await registry.updateModuleTwin('sdk-twin-gw0', 'StoreGateway', patch, read.etag)).responseBody;
              out.tags = updated.tags;
              out.windowSeconds = updated.properties.desired.windowSeconds;
              out.versionMoved = updated.version > read.version;
              try { await registry.updateModuleTwin('sdk-twin-gw0', 'StoreGateway', { tags: { tier: 'silver' } }, read.etag); out.stale = 'none'; }
              catch (e) { out.stale = errorName(e); }
              for (let i = 1; i < 4; i++) {
                const twin = (await registry.getModuleTwin(`sdk-twin-gw${i}`, 'StoreGateway')).responseBody;
                await registry.updateModuleTwin(`sdk-twin-gw${i}`, 'StoreGateway', { tags: { tier: 'gold' } }, twin.etag);
              }
              const query = registry.createQuery("SELECT * FROM devices.modules WHERE tags.tier = 'gold' AND moduleId = 'StoreGateway'", 2);
              out.pages = [];
              while (query.hasMoreResults) {
                const page = (await query.nextAsTwin()).result;
                out.pages.push(page.map(t => t.deviceId));
              }
              const twin = (await registry.getModuleTwin('sdk-twin-gw0', 'StoreGateway')).responseBody;
              out.finalTier = twin.tags.tier;
              result(out);
            })().catch(fail);
            """;

        var result = await hub.RunAsync(script, ScriptTimeout, hub.ServiceConnectionString);

        Assert.Equal("""{"tier":"gold","region":{"name":"north"}}""", result["tags"]!.ToJsonString());
        Assert.Equal(60, result["windowSeconds"]!.GetValue<int>());
        Assert.True(result["versionMoved"]!.GetValue<bool>());
        Assert.Equal("InvalidEtagError", result["stale"]!.GetValue<string>());
        Assert.Equal("""[["sdk-twin-gw0","sdk-twin-gw1"],["sdk-twin-gw2","sdk-twin-gw3"]]""", result["pages"]!.ToJsonString());
        Assert.Equal("gold", result["finalTier"]!.GetValue<string>());
    }

    [Fact]
    public async Task ApplyConfigurationContentOnDevice_Deployment_EdgeAgentEdgeHubAndModuleTwinsHoldItsDesired()
    {
        const string script = """
            const { Registry } = require('azure-iothub');
            const [cs, deviceId] = process.argv.slice(2);
            const registry = Registry.fromConnectionString(cs);
            (async () => {
              await registry.create({ deviceId, capabilities: { iotEdge: true } });
              const content = { modulesContent: {
                $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker', settings: { minDockerVersion: 'v1.25' } },
                  systemModules: { edgeAgent: { type: 'docker', settings: { image: 'azureiotedge-agent:1.5', createOptions: '{}' } } },
                  modules: { StoreGateway: { version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'retailedge/storegateway:1.0', createOptions: '{}' } } } } },
                $edgeHub: { 'properties.desired': { schemaVersion: '1.2', routes: { upstream: 'FROM /messages/modules/StoreGateway/outputs/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
                StoreGateway: { 'properties.desired': { windowSeconds: 60 } } } };
              await registry.applyConfigurationContentOnDevice(deviceId, content);
              const agent = (await registry.getModuleTwin(deviceId, '$edgeAgent')).responseBody;
              const edgeHub = (await registry.getModuleTwin(deviceId, '$edgeHub')).responseBody;
              const gateway = (await registry.getModuleTwin(deviceId, 'StoreGateway')).responseBody;
              const modules = (await registry.getModulesOnDevice(deviceId)).responseBody.map(m => m.moduleId).sort();
              result({ agentImage: agent.properties.desired.modules.StoreGateway.settings.image,
                       route: edgeHub.properties.desired.routes.upstream,
                       windowSeconds: gateway.properties.desired.windowSeconds, modules });
            })().catch(fail);
            """;

        var result = await hub.RunAsync(script, ScriptTimeout, hub.ServiceConnectionString, "sdk-deploy-gw");

        Assert.Equal("retailedge/storegateway:1.0", result["agentImage"]!.GetValue<string>());
        Assert.Equal("FROM /messages/modules/StoreGateway/outputs/* INTO $upstream", result["route"]!.GetValue<string>());
        Assert.Equal(60, result["windowSeconds"]!.GetValue<int>());
        Assert.Equal("""["$edgeAgent","$edgeHub","StoreGateway"]""", result["modules"]!.ToJsonString());
        var twin = hub.Emulator.Twins.GetDeviceView(new Registry.IdentityKey("sdk-deploy-gw", "$edgeHub"))!;
        Assert.Equal(7200, twin["desired"]!["storeAndForwardConfiguration"]!["timeToLiveSecs"]!.GetValue<int>());
    }
}
