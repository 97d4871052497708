using System.Buffers;
using System.Text;

namespace RetailEdge.DuckDb.Native;

/// <summary>A NUL-terminated UTF-8 copy of a string in a pooled buffer, for const char* arguments.</summary>
internal readonly ref struct Utf8Buffer
{
    private readonly byte[] _rented;

    public Utf8Buffer(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("SQL text must not contain NUL characters.", nameof(value));
        }
        var length = Encoding.UTF8.GetByteCount(value);
        _rented = ArrayPool<byte>.Shared.Rent(length + 1);
        Encoding.UTF8.GetBytes(value, _rented);
        _rented[length] = 0;
    }

    public ref byte Reference => ref _rented[0];

    public void Dispose() => ArrayPool<byte>.Shared.Return(_rented);
}
