using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Contracts.Twin;

namespace RetailEdge.Contracts.Tests;

public class GatewaySettingsTests
{
    private static (GatewaySettings? Settings, string? Error) Apply(string json, GatewaySettings? current = null)
    {
        using var document = JsonDocument.Parse(json);
        return GatewaySettings.Apply(current ?? GatewaySettings.Default, document.RootElement);
    }

    [Fact]
    public void ToDesiredJson_AppliedToDefaults_GivesEverySettingBack()
    {
        var changed = new GatewaySettings
        {
            Window = TimeSpan.FromSeconds(15), AllowedLateness = TimeSpan.FromSeconds(300), SealGrace = TimeSpan.FromSeconds(2),
            SendInterval = TimeSpan.FromSeconds(30), MaxBatchBytes = 8192, Compression = GatewaySettings.CompressionNone, ForwardRaw = true,
            RetentionDays = 3, DiskBudgetMb = 64, DropPolicy = GatewaySettings.RejectNew, LowStockAlerts = false, PriceMismatchTolerance = 0.125m,
        };
        // Every property differs from the default, so a setting left out of the document would show.
        foreach (var property in typeof(GatewaySettings).GetProperties().Where(p => p.CanWrite))
        {
            Assert.NotEqual(property.GetValue(GatewaySettings.Default), property.GetValue(changed));
        }

        var (restored, error) = Apply(changed.ToDesiredJson());

        Assert.Null(error);
        Assert.Equal(changed, restored);
        Assert.Equal(GatewaySettings.Default, Apply(GatewaySettings.Default.ToDesiredJson(), changed).Settings);
    }

    [Fact]
    public void Apply_ValidPatch_ChangesOnlyWhatItNames()
    {
        var (settings, error) = Apply("{\"windowSeconds\":300,\"compression\":\"none\",\"$version\":7,\"referenceData\":{}}");

        Assert.Null(error);
        Assert.Equal(TimeSpan.FromMinutes(5), settings!.Window);
        Assert.Equal(GatewaySettings.CompressionNone, settings.Compression);
        Assert.Equal(GatewaySettings.Default.SendInterval, settings.SendInterval);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(15)]
    [InlineData(30)]
    [InlineData(60)]
    [InlineData(3600)]
    public void Apply_WindowThatTilesAMinuteOrIsWholeMinutes_IsAccepted(int seconds)
    {
        var (settings, error) = Apply($"{{\"windowSeconds\":{seconds}}}");

        Assert.Null(error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), settings!.Window);
    }

    [Theory]
    [InlineData("{\"windowSeconds\":\"60\"}", "windowSeconds")]
    [InlineData("{\"windowSeconds\":-60}", "windowSeconds")]
    [InlineData("{\"windowSeconds\":90}", "whole number of minutes")]
    [InlineData("{\"windowSeconds\":25}", "divide a minute")]
    [InlineData("{\"windowSeconds\":5}", "windowSeconds")]
    [InlineData("{\"maxBatchBytes\":300000}", "maxBatchBytes")]
    [InlineData("{\"sealGraceSeconds\":-1}", "sealGraceSeconds")]
    [InlineData("{\"sealGraceSeconds\":601}", "sealGraceSeconds")]
    [InlineData("{\"sealGraceSeconds\":2.5}", "sealGraceSeconds")]
    [InlineData("{\"sendIntervalSeconds\":-1}", "sendIntervalSeconds")]
    [InlineData("{\"compression\":\"zip\"}", "compression")]
    [InlineData("{\"forwardRaw\":1}", "forwardRaw")]
    [InlineData("{\"teleport\":true}", "teleport")]
    [InlineData("[1]", "object")]
    public void Apply_BadPatch_IsRejectedNamingTheProperty(string json, string mentions)
    {
        var (settings, error) = Apply(json);

        Assert.Null(settings);
        Assert.Contains(mentions, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_SealsFiveSecondsAfterTheWindowAndSendsOnSeal()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), GatewaySettings.Default.SealGrace);
        Assert.Equal(TimeSpan.Zero, GatewaySettings.Default.SendInterval);

        var (settings, error) = Apply("{\"sealGraceSeconds\":0,\"sendIntervalSeconds\":0}", GatewaySettings.Default with { SendInterval = TimeSpan.FromMinutes(5) });

        Assert.Null(error);
        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero), (settings!.SealGrace, settings.SendInterval));
    }

    [Fact]
    public void Apply_FortyKilobytesOfJunk_IsRejectedBySize()
    {
        var junk = "{\"junk\":\"" + new string('j', 40 * 1024) + "\"}";

        var (settings, error) = Apply(junk);

        Assert.Null(settings);
        Assert.Contains("32768", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_OneBadPropertyAmongGood_KeepsNothingOfThePatch()
    {
        var current = GatewaySettings.Default with { DiskBudgetMb = 500 };

        var (settings, _) = Apply("{\"diskBudgetMb\":900,\"windowSeconds\":-1}", current);

        Assert.Null(settings);
        Assert.Equal(500, current.DiskBudgetMb);
    }

    [Fact]
    public void ReportedProperties_SerializeCamelCase_ClearedValuesAsNullSoTheTwinDropsThem()
    {
        var reported = new GatewayReportedProperties { Version = "1.0.0", BufferedBatches = 3, ConfigError = null };

        var json = JsonSerializer.Serialize(reported, ContractsJsonContext.Default.GatewayReportedProperties);

        Assert.Contains("\"bufferedBatches\":3", json, StringComparison.Ordinal);
        // null deletes a reported property: an error that went away must be written as null
        Assert.Contains("\"configError\":null", json, StringComparison.Ordinal);
        Assert.Contains("\"referenceDataError\":null", json, StringComparison.Ordinal);
        // a counter that was never set is not reported as anything
        Assert.DoesNotContain("dropped", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportedProperties_TolerantRead_WrongTypedValueLeftOutOthersKept()
    {
        var twin = JsonNode.Parse("""
            {"status":"degraded","bufferedBatches":"many","rejected":4,"lastSentAt":"2026-12-05T10:00:00Z","lastEventAt":"yesterday",
             "configError":"windowSeconds must be 10-3600","$version":7,"futureField":{"a":1}}
            """)!.AsObject();

        var reported = TolerantJson.Deserialize(twin, ContractsJsonContext.Default.GatewayReportedProperties, out var invalid);

        Assert.Equal("degraded", reported.Status);
        Assert.Null(reported.BufferedBatches);
        Assert.Null(reported.LastEventAt);
        Assert.Equal(4, reported.Rejected);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), reported.LastSentAt);
        Assert.Equal("windowSeconds must be 10-3600", reported.ConfigError);
        Assert.Equal(["bufferedBatches", "lastEventAt"], invalid);
    }
}
