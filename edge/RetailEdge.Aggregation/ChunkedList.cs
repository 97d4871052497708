using System.Collections;

namespace RetailEdge.Aggregation;

/// <summary>
/// An append-only list kept in chunks small enough to stay off the large object heap. A minute's window at
/// 5,000 events/s holds ≈ 200,000 basket summaries: as one list that is a 20 MB array, reached through
/// doublings that leave ≈ 40 MB of large-object garbage a window, and every large allocation brings a
/// blocking full collection nearer — the acknowledgements' worst pauses. Chunks are never copied.
/// </summary>
internal sealed class ChunkedList<T> : IReadOnlyCollection<T>
{
    // ≈ 40 KB of 88-byte structs: well under the 85,000-byte large object threshold.
    private const int ChunkLength = 512;

    // The first chunks grow from a few items: most windows of a quiet store hold a few dozen.
    private const int FirstChunkLength = 8;

    private readonly List<T[]> _chunks = [];
    private int _lastFill;

    public int Count { get; private set; }

    public void Add(T item)
    {
        if (_chunks.Count == 0 || _lastFill == _chunks[^1].Length)
        {
            _chunks.Add(new T[_chunks.Count == 0 ? FirstChunkLength : Math.Min(ChunkLength, _chunks[^1].Length * 2)]);
            _lastFill = 0;
        }
        _chunks[^1][_lastFill++] = item;
        Count++;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var c = 0; c < _chunks.Count; c++)
        {
            var chunk = _chunks[c];
            var length = c == _chunks.Count - 1 ? _lastFill : chunk.Length;
            for (var i = 0; i < length; i++)
            {
                yield return chunk[i];
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
