using System.Text;
using RetailEdge.IotHub.Credentials;
using RetailEdge.Testing;

namespace RetailEdge.IotHub.Tests;

/// <summary>Network input never makes a parser throw: random and mutated tokens, topics, bags and twins get false or a reason code.</summary>
public class ParserFuzzTests
{
    private static readonly string[] Seeds =
    [
        IotHubSasVectors.ModuleVector,
        IotHubSasVectors.ServiceVector,
        "$iothub/twin/res/204/?$rid=abc&$version=42",
        "$iothub/twin/PATCH/properties/desired/?$version=12",
        "$iothub/methods/POST/reboot/?$rid=5",
        "$iothub/methods/res/200/?$rid=5",
        "$iothub/twin/GET/?$rid=7",
        "devices/store017-gw/modules/StoreGateway/messages/events/%24.mid=1&%24.ct=application%2Fjson&k=v",
        "devices/store017-gw/modules/StoreGateway/inputs/refdata/%24.mid=1&kind=prices",
        "{\"desired\":{\"a\":1,\"$version\":3},\"reported\":{\"$version\":2}}",
    ];

    private const string Alphabet = "%&=?/$#+ .-_0123456789abcdefABCDEF{}[]\":,\n\u00e9\ud83d\ude00";

    [Fact]
    public void Parsers_RandomAndMutatedInput_NeverThrow()
    {
        var random = new Random(20261121);
        var keys = new[] { SharedAccessSignature.DecodeKey(IotHubSasVectors.Key) };
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var resource = SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store017-gw", "StoreGateway");
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var seed = Seeds[random.Next(Seeds.Length)];
            var text = Mutate(random, seed);

            accepted += SasTokenValidator.Validate(text, resource, keys, now).IsValid && text != seed ? 1 : 0;
            SasToken.TryParse(text, out _, out _);
            IotHubTopics.TryParseTwinResponse(text, out _);
            IotHubTopics.TryParseDesiredPatch(text, out _);
            IotHubTopics.TryParseMethodRequest(text, out _);
            IotHubTopics.TryParseMethodResponse(text, out _);
            IotHubTopics.TryParseTwinRequest(text, out _);
            IotHubTopics.TryParseTelemetry(text, out _);
            IotHubTopics.TryParseInput(text, "store017-gw", "StoreGateway", out _);
            IotHubMessage.TryFromPropertyBag(ReadOnlyMemory<byte>.Empty, text, out _, out _);
            ModuleTwin.TryParse(Encoding.UTF8.GetBytes(text), out _, out _);
            IotHubConnectionString.TryParse(text, out _, out _);
        }

        // a changed token must essentially never validate (only a harmless change such as the hex case of an escape in sig could)
        Assert.True(accepted < 20, $"{accepted} mutated tokens validated");
    }

    private static string Mutate(Random random, string seed)
    {
        var builder = new StringBuilder(seed);
        var edits = random.Next(0, 6);
        for (var e = 0; e < edits; e++)
        {
            var position = builder.Length == 0 ? 0 : random.Next(builder.Length);
            switch (random.Next(4))
            {
                case 0 when builder.Length > 0:
                    builder.Remove(position, Math.Min(builder.Length - position, random.Next(1, 8)));
                    break;
                case 1:
                    builder.Insert(position, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 2 when builder.Length > 0:
                    builder[position] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                default:
                    builder.Length = Math.Min(builder.Length, position);
                    break;
            }
        }
        return builder.ToString();
    }
}
