namespace RetailEdge.IotHub.Credentials.Tests;

/// <summary>A clock the test moves by hand (only GetUtcNow is needed by the code under test).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
