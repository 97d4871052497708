using RetailEdge.StoreGateway.Core;
using StoreGateway;

GatewayGcMode.Apply();
var builder = WebApplication.CreateSlimBuilder(args);
try
{
    builder.AddStoreGateway();
}
catch (StoreGatewayConfigurationException e)
{
    await Console.Error.WriteLineAsync("StoreGateway cannot start: " + e.Message);
    return 2;
}
var app = builder.Build();
app.MapStoreGatewayEndpoints();
await app.RunAsync();
return 0;
