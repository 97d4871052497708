using System.Text;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>What a valid token allows: the entities at or below <see cref="EntityPath"/> until it expires.</summary>
public sealed record AuthorizedScope(string EntityPath, DateTimeOffset ExpiresOn)
{
    /// <summary>True when <paramref name="entityPath"/> (e.g. hub/ConsumerGroups/$Default/Partitions/0) is this scope or below it.</summary>
    public bool Covers(string entityPath, DateTimeOffset now) =>
        now < ExpiresOn && SasTokenValidator.ResourceMatches(EntityPath, entityPath);
}

/// <summary>
/// Checks the SAS tokens that Event Hubs clients put on <c>$cbs</c> (and in <c>$management</c>
/// requests) against the hub's shared access policy, with the same validation as the service
/// REST API (<see cref="SasTokenValidator"/>): key name, expiry and signature (HMAC keyed, as
/// Event Hubs does, with the policy key's text rather than its base64-decoded bytes). The token's
/// <c>sr</c> is the endpoint the client was given (<c>sb://</c>, <c>amqp://</c> or <c>amqps://</c>
/// + the emulator's host + the event hub, or an entity below it): its host must be one the
/// emulator answers to and its path must start with the event hub's name.
/// </summary>
public sealed class EventHubsAuthorizer(HubRegistry registry, string eventHubName, IReadOnlyCollection<string> hostNames, TimeProvider timeProvider)
{
    private static readonly string[] Schemes = ["sb", "amqp", "amqps", "http", "https"];

    public bool TryAuthorize(string? token, out AuthorizedScope? scope, out string error)
    {
        scope = null;
        if (!SasToken.TryParse(token, out var parsed, out error))
        {
            return false;
        }
        if (!Uri.TryCreate(parsed.Resource, UriKind.Absolute, out var resource) || !Schemes.Contains(resource.Scheme, StringComparer.OrdinalIgnoreCase))
        {
            error = "the token's resource (sr) must be the endpoint: sb://host/" + eventHubName;
            return false;
        }
        if (!hostNames.Contains(resource.Host, StringComparer.OrdinalIgnoreCase))
        {
            error = $"the token's resource (sr) names host '{resource.Host}', which is not this endpoint";
            return false;
        }
        var entityPath = Uri.UnescapeDataString(resource.AbsolutePath.Trim('/'));
        if (!SasTokenValidator.ResourceMatches(eventHubName, entityPath))
        {
            error = $"the token's resource (sr) is not event hub '{eventHubName}'";
            return false;
        }
        var policy = registry.ServicePolicy;
        // the resource was checked above against this endpoint; the shared validator checks key name, expiry and signature
        // Event Hubs signs with the key's text as UTF-8 bytes (IoT Hub decodes it from base64 first)
        var result = SasTokenValidator.ValidatePolicy(token, parsed.Resource, policy.Name, [Encoding.UTF8.GetBytes(policy.PrimaryKey)], timeProvider.GetUtcNow());
        if (!result.IsValid)
        {
            error = result.Error + ": " + result.Message;
            return false;
        }
        scope = new AuthorizedScope(entityPath, parsed.ExpiresOn);
        return true;
    }
}
