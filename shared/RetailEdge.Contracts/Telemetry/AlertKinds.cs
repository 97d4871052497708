namespace RetailEdge.Contracts.Telemetry;

public static class AlertKinds
{
    public const string LowStock = "low_stock";
    public const string PriceMismatch = "price_mismatch";
    public const string ScaleAnomaly = "scale_anomaly";
}
