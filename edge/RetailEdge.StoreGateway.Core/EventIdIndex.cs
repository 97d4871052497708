using System.IO.Hashing;
using System.Text;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// The journal's event ids by 64-bit hash, in memory: hash → tags of the journaled events with that hash
/// (an open-addressing table with linear probing). Equal hashes are only candidates; the journal compares
/// the stored id of each before it calls an event a duplicate, so a hash collision never loses an event.
/// </summary>
/// <remarks>
/// Why not a unique index on the id in SQLite: ids are not in arrival order (a lane's GUIDs, many lanes), so
/// each event's insert and delete rewrote a different leaf of that index. At 5,000 events/s that was ≈ 20 MB/s
/// of WAL for the index alone, twice over with the budget's deletes, and the checkpoints writing those pages
/// back held the commits' fsyncs: acknowledgement p99 went from 3.5 ms without the index to 40–50 ms once the
/// journal filled. Kept here, an event costs 16–32 bytes of memory (one slot, at a load of ½ to ¾) and its
/// hash is stored in arrival order beside its tag, from which the table is rebuilt by the first append after the journal opens.
/// </remarks>
public sealed class EventIdIndex
{
    private const int MinimumCapacity = 1024;
    private long[] _hashes = new long[MinimumCapacity];
    private long[] _tags = new long[MinimumCapacity];

    public int Count { get; private set; }

    /// <summary>The stable hash of an event id (xxHash3 of its UTF-8 bytes), never 0 (0 marks a free slot).</summary>
    public static long HashOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var length = Encoding.UTF8.GetMaxByteCount(id.Length);
        Span<byte> buffer = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(id, buffer);
        var hash = (long)XxHash3.HashToUInt64(buffer[..written]);
        return hash == 0 ? 1 : hash;
    }

    public void Add(long hash, long tag)
    {
        EnsureHashNotFree(hash);
        if ((Count + 1) * 4L > _hashes.Length * 3L)
        {
            Resize(_hashes.Length * 2);
        }
        Insert(_hashes, _tags, hash, tag);
        Count++;
    }

    /// <summary>The tags of the events whose id has <paramref name="hash"/> (almost always none or one).</summary>
    public void CandidatesFor(long hash, List<long> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        EnsureHashNotFree(hash);
        tags.Clear();
        var mask = _hashes.Length - 1;
        for (var slot = Slot(hash, mask); _hashes[slot] != 0; slot = (slot + 1) & mask)
        {
            if (_hashes[slot] == hash)
            {
                tags.Add(_tags[slot]);
            }
        }
    }

    /// <summary>Removes the event (<paramref name="hash"/>, <paramref name="tag"/>); false when it was not there.</summary>
    public bool Remove(long hash, long tag)
    {
        EnsureHashNotFree(hash);
        var mask = _hashes.Length - 1;
        var slot = Slot(hash, mask);
        while (_hashes[slot] != hash || _tags[slot] != tag)
        {
            if (_hashes[slot] == 0)
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        // Backward-shift deletion: move later entries of the probe run into the hole, so that lookups
        // can stop at the first free slot without tombstones.
        var hole = slot;
        for (var next = (hole + 1) & mask; _hashes[next] != 0; next = (next + 1) & mask)
        {
            var home = Slot(_hashes[next], mask);
            // The entry at next may move into the hole when its home is not cyclically within (hole, next].
            if (((next - home) & mask) >= ((next - hole) & mask))
            {
                _hashes[hole] = _hashes[next];
                _tags[hole] = _tags[next];
                hole = next;
            }
        }
        _hashes[hole] = 0;
        _tags[hole] = 0;
        Count--;
        if (_hashes.Length > MinimumCapacity && Count * 8L < _hashes.Length)
        {
            // A journal emptied by retention gives its memory back.
            Resize(_hashes.Length / 2);
        }
        return true;
    }

    private void Resize(int capacity)
    {
        var hashes = new long[capacity];
        var tags = new long[capacity];
        for (var i = 0; i < _hashes.Length; i++)
        {
            if (_hashes[i] != 0)
            {
                Insert(hashes, tags, _hashes[i], _tags[i]);
            }
        }
        (_hashes, _tags) = (hashes, tags);
    }

    private static void Insert(long[] hashes, long[] tags, long hash, long tag)
    {
        var mask = hashes.Length - 1;
        var slot = Slot(hash, mask);
        while (hashes[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }
        hashes[slot] = hash;
        tags[slot] = tag;
    }

    // The hash is already uniform: its low bits pick the slot.
    private static int Slot(long hash, int mask) => (int)hash & mask;

    private static void EnsureHashNotFree(long hash)
    {
        if (hash == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(hash), "0 marks a free slot; use HashOf");
        }
    }

    /// <summary>The bytes the table holds (both arrays).</summary>
    public long Bytes => (long)_hashes.Length * 2 * sizeof(long);
}
