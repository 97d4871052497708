using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Twin;
using RetailEdge.Contracts.Validation;
using RetailEdge.Testing;

namespace RetailEdge.Contracts.Tests;

/// <summary>Raw-byte fuzzing of the two validators that read network input: events and twin patches.</summary>
public class FuzzTests
{
    [Fact]
    [Trait("Category", "Fault")]
    public void EventValidator_RawByteFuzz_AlwaysAVerdictNeverAnException()
    {
        var fuzz = new RawFuzz(1001, [.. TestEvents.All().Select(StoreEventJson.Serialize)]);
        var validator = new EventValidator(new EventValidationOptions { ExpectedStoreId = 17 });
        var cases = RawFuzz.Cases(5_000);
        var rejected = 0;
        for (var i = 0; i < cases; i++)
        {
            var raw = fuzz.Next();
            var result = validator.Validate(raw, TestEvents.Noon);
            Assert.True(result.IsValid ^ result.Reason is not null, $"case {i}: neither valid nor a reason");
            if (!result.IsValid)
            {
                rejected++;
            }
            // What is not UTF-8 is never accepted.
            Assert.True(System.Text.Unicode.Utf8.IsValid(raw) || result.Reason == ReasonCodes.InvalidUtf8 || result.Reason == ReasonCodes.TooLarge, $"case {i}: {result.Reason}");
        }
        Assert.True(rejected > cases / 2, $"{rejected} of {cases} rejected: the fuzz is too gentle");
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void TwinPatch_RawByteFuzz_SettingsOrAReasonNeverAnException()
    {
        var desired = """{"windowSeconds":60,"allowedLatenessSeconds":120,"sendIntervalSeconds":60,"maxBatchBytes":65536,"compression":"gzip","forwardRaw":false,"retentionDays":7,"diskBudgetMb":1024,"dropPolicy":"drop_oldest","lowStockAlerts":true,"priceMismatchTolerance":0.01,"$version":4}""";
        var fuzz = new RawFuzz(2002, [Encoding.UTF8.GetBytes(desired), Encoding.UTF8.GetBytes("""{"windowSeconds":300,"referenceData":{"version":"v1","url":"https://x/y","sha256":"00","bytes":3}}""")]);
        var cases = RawFuzz.Cases(5_000);
        var parsed = 0;
        for (var i = 0; i < cases; i++)
        {
            var raw = fuzz.Next();
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(raw);
            }
            catch (JsonException)
            {
                continue; // the transport drops a patch that is not JSON before any validator sees it
            }
            using (document)
            {
                parsed++;
                var (settings, error) = GatewaySettings.Apply(GatewaySettings.Default, document.RootElement);
                Assert.True(settings is not null ^ error is not null, $"case {i}");
                if (settings is not null)
                {
                    Assert.InRange(settings.Window, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
                    Assert.True(settings.MaxBatchBytes > 0);
                }
            }
        }
        Assert.True(parsed > cases / 10, $"only {parsed} of {cases} parsed");
    }
}
