using System.Text;
using RetailEdge.Testing;

namespace RetailEdge.LocalFiles.Tests;

/// <summary>Put-if-absent on a real local folder: racers on one name, exactly one wins, its bytes stay.</summary>
public sealed class LocalFilePublisherTests : IDisposable
{
    private readonly TempDirectory _directory = new("publish");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TryPublishNoReplace_FreeName_MovesTheFile()
    {
        var temp = _directory.Combine(".a.tmp");
        File.WriteAllText(temp, "first");

        Assert.True(LocalFilePublisher.TryPublishNoReplace(temp, _directory.Combine("a.json")));
        Assert.False(File.Exists(temp));
        Assert.Equal("first", File.ReadAllText(_directory.Combine("a.json")));
    }

    [Fact]
    public void TryPublishNoReplace_TakenName_RefusesAndKeepsBothFiles()
    {
        File.WriteAllText(_directory.Combine("a.json"), "first");
        var temp = _directory.Combine(".a.tmp");
        File.WriteAllText(temp, "second");

        Assert.False(LocalFilePublisher.TryPublishNoReplace(temp, _directory.Combine("a.json")));
        Assert.Equal("first", File.ReadAllText(_directory.Combine("a.json")));
        Assert.Equal("second", File.ReadAllText(temp));
    }

    [Fact]
    public async Task TryPublishNoReplace_EightRacersPerName_ExactlyOneWinsAndItsContentStays()
    {
        const int rounds = 300;
        const int racers = 8;
        var losses = 0;
        for (var round = 0; round < rounds; round++)
        {
            var target = _directory.Combine($"{round:00000}.json");
            var temps = Enumerable.Range(0, racers).Select(r =>
            {
                var temp = _directory.Combine($".{round}.{r}.tmp");
                File.WriteAllBytes(temp, Encoding.UTF8.GetBytes($"racer {r}"));
                return temp;
            }).ToArray();
            using var start = new Barrier(racers);
            var outcomes = await Task.WhenAll(temps.Select((temp, r) => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return (Racer: r, Won: LocalFilePublisher.TryPublishNoReplace(temp, target));
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

            var winner = Assert.Single(outcomes, o => o.Won);
            Assert.Equal($"racer {winner.Racer}", File.ReadAllText(target));
            losses += outcomes.Count(o => !o.Won);
        }
        Assert.Equal(rounds * (racers - 1), losses);
    }
}
