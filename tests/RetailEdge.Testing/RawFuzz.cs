using System.Text;

namespace RetailEdge.Testing;

/// <summary>
/// Deterministic raw-byte fuzz inputs: random bytes, byte-level damage of valid documents (including
/// bytes that are not UTF-8 and overlong or surrogate sequences), repeated properties, deep nesting,
/// huge numbers and long strings. Cases: a few thousand normally, 100,000 with RETAILEDGE_SOAK=1.
/// </summary>
public sealed class RawFuzz(int seed, IReadOnlyList<byte[]> seeds)
{
    private static readonly byte[][] Pieces =
    [
        "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(), "\""u8.ToArray(), "\\"u8.ToArray(),
        "null"u8.ToArray(), "true"u8.ToArray(), "-1e999"u8.ToArray(), "1e-999"u8.ToArray(), "99999999999999999999999999999999"u8.ToArray(),
        "\\u0000"u8.ToArray(), "\\ud800"u8.ToArray(), "\n"u8.ToArray(), "\r\n"u8.ToArray(), [0], [0xF1], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xFF, 0xFE], [0xEF, 0xBB, 0xBF], [0x80], "\"id\":\"x\","u8.ToArray(), "\"type\":\"basket\","u8.ToArray(),
    ];

    private readonly Random _random = new(seed);

    /// <summary>How many cases a fuzz test runs: <paramref name="bounded"/> normally, 100,000 in the long form.</summary>
    public static int Cases(int bounded) => Soak.Scale(bounded, 100_000);

    public byte[] Next()
    {
        var strategy = _random.Next(8);
        return strategy switch
        {
            0 => RandomBytes(_random.Next(0, 512)),
            1 => DuplicateProperty(Seed()),
            2 => Nested(_random.Next(1, 200)),
            3 => Encoding.UTF8.GetBytes("{\"type\":\"basket\",\"id\":\"" + new string('x', _random.Next(0, 70_000)) + "\"}"),
            _ => Damage(Seed(), 1 + _random.Next(6)),
        };
    }

    private byte[] Seed() => seeds[_random.Next(seeds.Count)];

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Damage(byte[] source, int edits)
    {
        var bytes = new List<byte>(source);
        for (var i = 0; i < edits; i++)
        {
            var at = bytes.Count == 0 ? 0 : _random.Next(bytes.Count);
            switch (_random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3 when bytes.Count > 0:
                    var length = Math.Min(bytes.Count - at, _random.Next(1, 64));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                default:
                    bytes.InsertRange(at, Pieces[_random.Next(Pieces.Length)]);
                    break;
            }
        }
        return [.. bytes];
    }

    private byte[] DuplicateProperty(byte[] source)
    {
        var text = Encoding.UTF8.GetString(source);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var comma = colon < 0 ? -1 : text.IndexOf(',', colon);
        if (!text.StartsWith('{') || comma < 0)
        {
            return source;
        }
        return Encoding.UTF8.GetBytes(text[..(comma + 1)] + text[1..(comma + 1)] + text[(comma + 1)..]);
    }

    private byte[] Nested(int depth) =>
        Encoding.UTF8.GetBytes("{\"type\":\"basket\",\"x\":" + new string('[', depth) + new string(']', _random.Next(depth + 1)) + "}");
}
