namespace RetailEdge.StoreGateway.Tests;

internal static class GatewayModuleTestsSupport
{
    public static async Task WaitUntilAsync(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
