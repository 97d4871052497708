using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using RetailEdge.DuckDb.Native;

namespace RetailEdge.DuckDb;

/// <summary>
/// A prepared statement. Parameters are numbered from 1 (<c>$1</c> or the first <c>?</c>), or named
/// (<c>$name</c>); values are always sent as typed values, never spliced into the SQL text.
/// Bindings stay until rebound or <see cref="ClearBindings"/>, so a statement can be executed
/// repeatedly. Same threading rule as its <see cref="DuckDbConnection"/>.
/// </summary>
public sealed unsafe class DuckDbStatement : IDisposable
{
    private readonly DuckDbConnection _connection;
    private readonly DuckDbStatementHandle _handle;

    internal DuckDbStatement(DuckDbConnection connection, DuckDbStatementHandle handle)
    {
        _connection = connection;
        _handle = handle;
        ParameterCount = checked((int)NativeMethods.ParameterCount(handle));
    }

    public int ParameterCount { get; }

    /// <summary>Binds a value by its 1-based position. Supported: null/DBNull, bool, all integer types,
    /// Int128/UInt128, float, double, decimal, string, byte[]/ReadOnlyMemory&lt;byte&gt;, DateOnly,
    /// TimeOnly, DateTime (TIMESTAMP), DateTimeOffset (TIMESTAMPTZ), TimeSpan/DuckDbInterval
    /// (INTERVAL), Guid (as text, cast by DuckDB), enums (as their integer value).</summary>
    public DuckDbStatement Bind(int index, object? value)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (index < 1 || index > ParameterCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The statement has {ParameterCount} parameters, numbered from 1.");
        }
        var i = (ulong)index;
        var state = value switch
        {
            null or DBNull => NativeMethods.BindNull(_handle, i),
            bool v => NativeMethods.BindBoolean(_handle, i, v ? (byte)1 : (byte)0),
            sbyte v => NativeMethods.BindInt8(_handle, i, v),
            short v => NativeMethods.BindInt16(_handle, i, v),
            int v => NativeMethods.BindInt32(_handle, i, v),
            long v => NativeMethods.BindInt64(_handle, i, v),
            byte v => NativeMethods.BindUInt8(_handle, i, v),
            ushort v => NativeMethods.BindUInt16(_handle, i, v),
            uint v => NativeMethods.BindUInt32(_handle, i, v),
            ulong v => NativeMethods.BindUInt64(_handle, i, v),
            Int128 v => NativeMethods.BindHugeInt(_handle, i, new DuckDbHugeInt(v)),
            UInt128 v => NativeMethods.BindUHugeInt(_handle, i, new DuckDbUHugeInt(v)),
            float v => NativeMethods.BindFloat(_handle, i, v),
            double v => NativeMethods.BindDouble(_handle, i, v),
            decimal v => NativeMethods.BindDecimal(_handle, i, Conversions.ToDecimalStruct(v)),
            string v => BindString(i, v),
            byte[] v => BindBlob(i, v),
            ReadOnlyMemory<byte> v => BindBlob(i, v.Span),
            Memory<byte> v => BindBlob(i, v.Span),
            DateOnly v => NativeMethods.BindDate(_handle, i, Conversions.ToDays(v)),
            TimeOnly v => NativeMethods.BindTime(_handle, i, Conversions.ToMicros(v)),
            DateTime v => NativeMethods.BindTimestamp(_handle, i, Conversions.ToMicros(v)),
            DateTimeOffset v => NativeMethods.BindTimestampTz(_handle, i, Conversions.ToMicros(v)),
            TimeSpan v => BindInterval(i, DuckDbInterval.FromTimeSpan(v)),
            DuckDbInterval v => BindInterval(i, v),
            Guid v => BindString(i, v.ToString("D")),
            Enum v => NativeMethods.BindInt64(_handle, i, Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new ArgumentException($"Parameter {index}: values of type {value.GetType().Name} cannot be bound.", nameof(value)),
        };
        if (state != 0)
        {
            throw DuckDbException.From("bind", $"parameter {index} ({value?.GetType().Name ?? "NULL"}): {Marshal.PtrToStringUTF8(NativeMethods.PrepareError(_handle))}");
        }
        return this;
    }

    /// <summary>Binds a value to a named parameter (<c>$name</c> in the SQL, given without '$').</summary>
    public DuckDbStatement Bind(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (NativeMethods.BindParameterIndex(_handle, out var index, name) != 0)
        {
            throw new ArgumentException($"The statement has no parameter named '{name}'.", nameof(name));
        }
        return Bind(checked((int)index), value);
    }

    public void ClearBindings() => NativeMethods.ClearBindings(_handle);

    /// <summary>Executes with the current bindings and returns the rows changed.</summary>
    public long ExecuteNonQuery()
    {
        using var result = Query();
        return result.RowsChanged;
    }

    /// <summary>Executes with the current bindings and returns the (materialised) result.</summary>
    public DuckDbResult Query()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        using var scope = _connection.Enter();
        var result = DuckDbResultHandle.Allocate();
        var state = NativeMethods.ExecutePrepared(_handle, result.Pointer);
        return DuckDbResult.Create(_connection, result, state, "execute");
    }

    /// <summary>
    /// Executes with the current bindings and returns a streaming result: rows are produced as
    /// they are read, so memory stays flat for large results. Until the result is disposed the
    /// connection refuses other calls (DuckDB would otherwise invalidate the stream).
    /// </summary>
    public DuckDbResult QueryStreaming() => QueryStreaming(owned: null);

    internal DuckDbResult QueryStreaming(IDisposable? owned)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        using (_connection.Enter())
        {
            var result = DuckDbResultHandle.Allocate();
            var state = NativeMethods.ExecutePreparedStreaming(_handle, result.Pointer);
            var reader = DuckDbResult.Create(_connection, result, state, "execute");
            reader.OwnStream(_connection, owned);
            return reader;
        }
    }

    /// <summary>Executes and returns the first column of the first row; default when none or NULL.</summary>
    public T? ExecuteScalar<T>()
    {
        using var result = Query();
        return result.Read() && !result.IsNull(0) ? result.GetFieldValue<T>(0) : default;
    }

    public void Dispose() => _handle.Dispose();

    private int BindString(ulong index, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            var buffer = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
            Encoding.UTF8.GetBytes(value, buffer);
            fixed (byte* pointer = buffer)
            {
                return NativeMethods.BindVarchar(_handle, index, pointer, (ulong)length);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private int BindBlob(ulong index, ReadOnlySpan<byte> value)
    {
        fixed (byte* pointer = value)
        {
            // A non-null pointer even for an empty blob, so DuckDB binds '' rather than failing.
            byte empty = 0;
            return NativeMethods.BindBlob(_handle, index, pointer == null ? &empty : pointer, (ulong)value.Length);
        }
    }

    private int BindInterval(ulong index, DuckDbInterval value) =>
        NativeMethods.BindInterval(_handle, index, new DuckDbIntervalStruct { Months = value.Months, Days = value.Days, Micros = value.Micros });
}
