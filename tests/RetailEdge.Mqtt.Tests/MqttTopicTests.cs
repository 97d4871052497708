namespace RetailEdge.Mqtt.Tests;

public class MqttTopicTests
{
    [Theory]
    // spec 4.7.1.2: multi-level wildcard
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/ranking", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true)]
    [InlineData("sport/#", "sport", true)]
    [InlineData("#", "sport/tennis", true)]
    // spec 4.7.1.3: single-level wildcard
    [InlineData("sport/tennis/+", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player2", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [InlineData("sport/+", "sport", false)]
    [InlineData("sport/+", "sport/", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    // spec 4.7.2: topics beginning with $
    [InlineData("#", "$SYS/broker", false)]
    [InlineData("+/monitor/Clients", "$SYS/monitor/Clients", false)]
    [InlineData("$SYS/#", "$SYS/monitor/Clients", true)]
    [InlineData("$SYS/monitor/+", "$SYS/monitor/Clients", true)]
    // spec 4.7.3: case-sensitive, exact levels
    [InlineData("ACCOUNTS", "Accounts", false)]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("a/b/c", "a/b", false)]
    [InlineData("$iothub/twin/res/#", "$iothub/twin/res/200/?$rid=1", true)]
    [InlineData("devices/d/modules/m/#", "devices/d/modules/m/inputs/in1/%24.ct=x", true)]
    public void Matches_SpecExamples_AsSpecified(string filter, string topic, bool expected)
    {
        Assert.True(MqttTopic.IsValidTopicFilter(filter));
        Assert.True(MqttTopic.IsValidTopicName(topic));

        Assert.Equal(expected, MqttTopic.Matches(filter, topic));
    }

    [Theory]
    [InlineData("sport/tennis#", false)]
    [InlineData("sport/tennis/#/ranking", false)]
    [InlineData("sport+", false)]
    [InlineData("sport/+x/a", false)]
    [InlineData("", false)]
    [InlineData("a\0", false)]
    [InlineData("+", true)]
    [InlineData("+/tennis/#", true)]
    [InlineData("#", true)]
    [InlineData("/", true)]
    [InlineData("//", true)]
    public void IsValidTopicFilter_SpecRules_AsSpecified(string filter, bool expected)
    {
        Assert.Equal(expected, MqttTopic.IsValidTopicFilter(filter));
    }

    [Theory]
    [InlineData("a/+", false)]
    [InlineData("a/#", false)]
    [InlineData("", false)]
    [InlineData("/", true)]
    [InlineData("$iothub/methods/POST/reset/?$rid=42", true)]
    public void IsValidTopicName_SpecRules_AsSpecified(string topic, bool expected)
    {
        Assert.Equal(expected, MqttTopic.IsValidTopicName(topic));
    }

    [Fact]
    public void IsValidTopicName_LoneSurrogate_False()
    {
        // not in InlineData: test case serialisation would replace the lone surrogate
        Assert.False(MqttTopic.IsValidTopicName("a" + (char)0xD800));
    }

    [Fact]
    public void ValidateTopicFilter_Invalid_ThrowsWithRule()
    {
        var ex = Assert.Throws<MqttProtocolException>(() => MqttTopic.ValidateTopicFilter("a/#/b"));

        Assert.Equal(MqttProtocolError.InvalidTopic, ex.Error);
        Assert.Contains("4.7.1-2", ex.Message, StringComparison.Ordinal);
    }
}
