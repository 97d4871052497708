using System.Diagnostics;

namespace RetailEdge.Mqtt.Tests;

public class MqttPacketFuzzTests
{
    private const int MaxPacketSize = 4096;

    [Fact]
    public void TryDecode_100000RandomAndMutatedBuffers_OnlyProtocolErrors()
    {
        var random = new Random(20261121);
        var seeds = MqttPacketEncoderTests.Samples().Values
            .Where(p => MqttPacketEncoder.GetEncodedLength(p) <= MaxPacketSize)
            .Select(MqttPacketEncoder.Encode)
            .Concat(SpecVectors.Names.Select(SpecVectors.Get))
            .ToArray();
        var stopwatch = Stopwatch.StartNew();
        int decoded = 0, incomplete = 0, rejected = 0;

        for (var i = 0; i < 100_000; i++)
        {
            var buffer = i % 4 == 0 ? RandomBytes(random) : Mutate(random, seeds[random.Next(seeds.Length)]);
            MqttPacket? packet;
            try
            {
                if (!MqttPacketDecoder.TryDecode(buffer, MaxPacketSize, out packet, out var consumed))
                {
                    incomplete++;
                    continue;
                }
                Assert.InRange(consumed, 2, buffer.Length);
            }
            catch (MqttProtocolException)
            {
                rejected++;
                continue;
            }
            decoded++;
            // whatever we accept we can write back, and it reads the same again
            var again = MqttPacketEncoder.Encode(packet!);
            Assert.True(MqttPacketDecoder.TryDecode(again, MaxPacketSize, out var reread, out _));
            Assert.Equal(Convert.ToHexString(again), Convert.ToHexString(MqttPacketEncoder.Encode(reread!)));
        }

        Assert.Equal(100_000, decoded + incomplete + rejected);
        // the mutations must exercise all three outcomes, or the test proves little
        Assert.True(decoded > 1000, $"decoded {decoded}");
        Assert.True(incomplete > 1000, $"incomplete {incomplete}");
        Assert.True(rejected > 1000, $"rejected {rejected}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}: something loops");
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        if (bytes.Length > 1 && random.Next(2) == 0)
        {
            // a plausible header makes the decoder look past the first byte
            bytes[0] = (byte)((random.Next(1, 15) << 4) | (random.Next(4) == 0 ? random.Next(16) : 0));
            bytes[1] = (byte)Math.Min(bytes.Length - 2, 127);
        }
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(5))
        {
            case 0:
                // flip one to three bytes
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
                return bytes;
            case 1:
                // flip bits in the fixed header flags or the remaining length
                bytes[random.Next(Math.Min(2, bytes.Length))] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 2:
                // truncate
                return bytes[..random.Next(bytes.Length)];
            case 3:
                // extend with junk, and sometimes lie about the length
                var longer = bytes.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256))).ToArray();
                if (random.Next(2) == 0 && longer.Length > 1)
                {
                    longer[1] = (byte)random.Next(128);
                }
                return longer;
            default:
                return bytes;
        }
    }
}
