using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using RetailEdge.DuckDb.Native;

namespace RetailEdge.DuckDb;

/// <summary>
/// Fast bulk insert into one table: append the values of a row column by column, then
/// <see cref="EndRow"/>. Rows are buffered and written in batches; <see cref="Flush"/> or
/// <see cref="Close"/> writes the rest and surfaces errors (constraint violations, bad casts).
/// Values are cast to the column type by DuckDB. DateTime is appended as TIMESTAMP; use
/// DateTimeOffset for TIMESTAMPTZ columns. Same threading rule as its connection.
/// </summary>
public sealed unsafe class DuckDbAppender : IDisposable
{
    private readonly DuckDbAppenderHandle _handle;
    private readonly IntPtr _appender;
    private bool _failed;
    private bool _closed;
    private int _valuesInRow;

    internal DuckDbAppender(DuckDbAppenderHandle handle)
    {
        _handle = handle;
        _appender = handle.DangerousGetHandle();
        ColumnCount = checked((int)NativeMethods.AppenderColumnCount(handle));
    }

    public int ColumnCount { get; }

    public DuckDbAppender AppendNull() => Check(NativeMethods.AppendNull(Live()));

    public DuckDbAppender Append(bool value) => Check(NativeMethods.AppendBool(Live(), value ? (byte)1 : (byte)0));

    public DuckDbAppender Append(sbyte value) => Check(NativeMethods.AppendInt8(Live(), value));

    public DuckDbAppender Append(short value) => Check(NativeMethods.AppendInt16(Live(), value));

    public DuckDbAppender Append(int value) => Check(NativeMethods.AppendInt32(Live(), value));

    public DuckDbAppender Append(long value) => Check(NativeMethods.AppendInt64(Live(), value));

    public DuckDbAppender Append(byte value) => Check(NativeMethods.AppendUInt8(Live(), value));

    public DuckDbAppender Append(ushort value) => Check(NativeMethods.AppendUInt16(Live(), value));

    public DuckDbAppender Append(uint value) => Check(NativeMethods.AppendUInt32(Live(), value));

    public DuckDbAppender Append(ulong value) => Check(NativeMethods.AppendUInt64(Live(), value));

    public DuckDbAppender Append(Int128 value) => Check(NativeMethods.AppendHugeInt(Live(), new DuckDbHugeInt(value)));

    public DuckDbAppender Append(UInt128 value) => Check(NativeMethods.AppendUHugeInt(Live(), new DuckDbUHugeInt(value)));

    public DuckDbAppender Append(float value) => Check(NativeMethods.AppendFloat(Live(), value));

    public DuckDbAppender Append(double value) => Check(NativeMethods.AppendDouble(Live(), value));

    public DuckDbAppender Append(decimal value)
    {
        var duckValue = NativeMethods.CreateDecimal(Conversions.ToDecimalStruct(value));
        try
        {
            return Check(NativeMethods.AppendValue(Live(), duckValue));
        }
        finally
        {
            NativeMethods.DestroyValue(ref duckValue);
        }
    }

    public DuckDbAppender Append(DateOnly value) => Check(NativeMethods.AppendDate(Live(), Conversions.ToDays(value)));

    public DuckDbAppender Append(TimeOnly value) => Check(NativeMethods.AppendTime(Live(), Conversions.ToMicros(value)));

    /// <summary>Appended as TIMESTAMP (a Local time is first converted to UTC).</summary>
    public DuckDbAppender Append(DateTime value) => Check(NativeMethods.AppendTimestamp(Live(), Conversions.ToMicros(value)));

    /// <summary>Appended as TIMESTAMPTZ (the UTC instant).</summary>
    public DuckDbAppender Append(DateTimeOffset value)
    {
        var duckValue = NativeMethods.CreateTimestampTz(Conversions.ToMicros(value));
        try
        {
            return Check(NativeMethods.AppendValue(Live(), duckValue));
        }
        finally
        {
            NativeMethods.DestroyValue(ref duckValue);
        }
    }

    public DuckDbAppender Append(DuckDbInterval value) =>
        Check(NativeMethods.AppendInterval(Live(), new DuckDbIntervalStruct { Months = value.Months, Days = value.Days, Micros = value.Micros }));

    public DuckDbAppender Append(Guid value) => Append(value.ToString("D"));

    /// <summary>A VARCHAR (null appends NULL).</summary>
    public DuckDbAppender Append(string? value)
    {
        if (value is null)
        {
            return AppendNull();
        }
        var appender = Live();
        var length = Encoding.UTF8.GetMaxByteCount(value.Length) <= 1024 ? -1 : Encoding.UTF8.GetByteCount(value);
        var rented = length < 0 ? null : ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var buffer = rented ?? stackalloc byte[1024];
            var written = Encoding.UTF8.GetBytes(value, buffer);
            fixed (byte* pointer = buffer)
            {
                return Check(NativeMethods.AppendVarchar(appender, pointer, (ulong)written));
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

    /// <summary>A BLOB.</summary>
    public DuckDbAppender Append(ReadOnlySpan<byte> value)
    {
        byte empty = 0;
        fixed (byte* pointer = value)
        {
            return Check(NativeMethods.AppendBlob(Live(), pointer == null ? &empty : pointer, (ulong)value.Length));
        }
    }

    /// <summary>A BLOB (null appends NULL).</summary>
    public DuckDbAppender Append(byte[]? value) => value is null ? AppendNull() : Append(value.AsSpan());

    /// <summary>Any value the typed overloads accept, boxed (null/DBNull append NULL).</summary>
    public DuckDbAppender AppendValue(object? value) => value switch
    {
        null or DBNull => AppendNull(),
        bool v => Append(v),
        sbyte v => Append(v),
        short v => Append(v),
        int v => Append(v),
        long v => Append(v),
        byte v => Append(v),
        ushort v => Append(v),
        uint v => Append(v),
        ulong v => Append(v),
        Int128 v => Append(v),
        UInt128 v => Append(v),
        float v => Append(v),
        double v => Append(v),
        decimal v => Append(v),
        string v => Append(v),
        byte[] v => Append(v),
        ReadOnlyMemory<byte> v => Append(v.Span),
        DateOnly v => Append(v),
        TimeOnly v => Append(v),
        DateTime v => Append(v),
        DateTimeOffset v => Append(v),
        TimeSpan v => Append(DuckDbInterval.FromTimeSpan(v)),
        DuckDbInterval v => Append(v),
        Guid v => Append(v),
        _ => throw new ArgumentException($"Values of type {value.GetType().Name} cannot be appended.", nameof(value)),
    };

    /// <summary>Ends the current row; it must have a value for every column.</summary>
    public void EndRow()
    {
        Check(NativeMethods.AppenderEndRow(Live()));
        _valuesInRow = 0;
    }

    /// <summary>Appends a whole row of boxed values and ends it.</summary>
    public void AppendRow(params ReadOnlySpan<object?> values)
    {
        foreach (var value in values)
        {
            AppendValue(value);
        }
        EndRow();
    }

    /// <summary>Writes buffered rows to the table.</summary>
    public void Flush()
    {
        Live();
        if (NativeMethods.AppenderFlush(_appender) != 0)
        {
            throw Failure("flush");
        }
    }

    /// <summary>Flushes and closes; later appends throw. Errors surface here.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }
        Live();
        var state = NativeMethods.AppenderClose(_appender);
        _closed = true;
        if (state != 0)
        {
            var failure = Failure("close");
            _handle.Dispose();
            throw failure;
        }
        _handle.Dispose();
    }

    /// <summary>
    /// Closes (flushing) the appender. When an append failed or a row was left half-appended (an
    /// exception escaped mid-row), the unflushed rows are dropped instead, so the first error is not
    /// masked. Call <see cref="Close"/> explicitly to commit and see flush errors at a defined point.
    /// The appender is not transactional: rows flushed earlier stay; wrap it in BEGIN/COMMIT for all-or-nothing.
    /// </summary>
    public void Dispose()
    {
        if (_closed || _handle.IsClosed)
        {
            return;
        }
        if (!_failed && _valuesInRow == 0)
        {
            Close();
            return;
        }
        // Destroying flushes; clear first so a failed batch writes nothing more.
        _ = NativeMethods.AppenderClear(_appender);
        _closed = true;
        _handle.Dispose();
    }

    private IntPtr Live()
    {
        ObjectDisposedException.ThrowIf(_closed || _handle.IsClosed, this);
        return _appender;
    }

    private DuckDbAppender Check(int state)
    {
        if (state != 0)
        {
            throw Failure("append");
        }
        _valuesInRow++;
        return this;
    }

    private DuckDbException Failure(string operation)
    {
        _failed = true;
        return DuckDbException.From(operation, Marshal.PtrToStringUTF8(NativeMethods.AppenderError(_appender)));
    }
}
