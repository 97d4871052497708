namespace RetailEdge.Contracts.Events;

/// <summary>Sales channels of a basket.</summary>
public static class Channels
{
    public const string Store = "store";
    public const string Online = "online";
    /// <summary>Buy online, pick up in store: stock leaves the fulfilling store.</summary>
    public const string Bopis = "bopis";

    public static readonly IReadOnlyList<string> All = [Store, Online, Bopis];

    public static bool IsKnown(string value) => value is Store or Online or Bopis;
}
