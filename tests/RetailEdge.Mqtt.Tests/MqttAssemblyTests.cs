namespace RetailEdge.Mqtt.Tests;

public class MqttAssemblyTests
{
    [Fact]
    public void References_OnlyTheFrameworkAndLoggingAbstractions()
    {
        // the protocol code depends on no package beyond logging abstractions (STYLE.md: pure projects)
        var references = typeof(MqttPacket).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        var foreign = references.Where(name => !name.StartsWith("System", StringComparison.Ordinal)
            && name is not ("netstandard" or "mscorlib" or "Microsoft.Extensions.Logging.Abstractions"));

        Assert.Empty(foreign);
        Assert.Contains("Microsoft.Extensions.Logging.Abstractions", references);
    }
}
