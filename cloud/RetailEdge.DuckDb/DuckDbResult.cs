using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using RetailEdge.DuckDb.Native;

namespace RetailEdge.DuckDb;

/// <summary>
/// The rows of a query, read forward with <see cref="Read"/> and typed getters by 0-based column.
/// Values are read straight from DuckDB's column vectors (data chunk API) without per-value calls
/// into DuckDB. Getters widen where no information is lost (GetInt64 reads any integer column,
/// GetDouble any number, GetDateTime any timestamp or date); a NULL throws, so test
/// <see cref="IsNull"/> first. Nested types (LIST, STRUCT, MAP…) are refused: CAST them in SQL.
/// </summary>
public sealed unsafe class DuckDbResult : IDisposable
{
    private readonly DuckDbResultHandle _handle;
    private readonly Column[] _columns;
    private DuckDbChunkHandle? _chunk;
    private int _chunkSize;
    private int _row = -1;
    private bool _exhausted;
    private DuckDbConnection? _streamOwner;
    private IDisposable? _owned;

    private DuckDbResult(DuckDbResultHandle handle)
    {
        _handle = handle;
        var count = checked((int)NativeMethods.ColumnCount(handle.Pointer));
        _columns = new Column[count];
        for (var i = 0; i < count; i++)
        {
            _columns[i] = Column.Describe(handle.Pointer, i);
        }
        RowsChanged = checked((long)NativeMethods.RowsChanged(handle.Pointer));
    }

    public int ColumnCount => _columns.Length;

    /// <summary>Rows inserted, updated or deleted by the statement (0 for queries).</summary>
    public long RowsChanged { get; }

    public string GetName(int column) => ColumnAt(column).Name;

    public DuckDbType GetColumnType(int column) => ColumnAt(column).Type;

    /// <summary>The 0-based index of a column by (case-insensitive) name.</summary>
    public int GetOrdinal(string name)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            if (string.Equals(_columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new ArgumentException($"The result has no column named '{name}'.", nameof(name));
    }

    /// <summary>Moves to the next row; false at the end.</summary>
    public bool Read()
    {
        if (_exhausted)
        {
            return false;
        }
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_chunk is not null && ++_row < _chunkSize)
        {
            return true;
        }
        while (true)
        {
            _chunk?.Dispose();
            _chunk = null;
            var chunk = NativeMethods.FetchChunk(*_handle.Pointer);
            if (chunk == IntPtr.Zero)
            {
                _exhausted = true;
                // No chunk can also mean a failure while producing rows (streaming results fail late):
                // surface it rather than pass it off as the end of the data.
                var error = NativeMethods.ResultError(_handle.Pointer);
                if (error != IntPtr.Zero)
                {
                    var failure = DuckDbException.From("fetch", Marshal.PtrToStringUTF8(error));
                    throw _streamOwner?.Failure(failure) ?? failure;
                }
                ReleaseStream();
                return false;
            }
            var handle = new DuckDbChunkHandle();
            handle.Initialize(chunk, _handle);
            _chunk = handle;
            _chunkSize = checked((int)NativeMethods.DataChunkGetSize(chunk));
            if (_chunkSize == 0)
            {
                continue;
            }
            foreach (var column in _columns)
            {
                var vector = NativeMethods.DataChunkGetVector(chunk, (ulong)column.Index);
                column.Data = (byte*)NativeMethods.VectorGetData(vector);
                column.Validity = NativeMethods.VectorGetValidity(vector);
            }
            _row = 0;
            return true;
        }
    }

    public bool IsNull(int column)
    {
        var c = Current(column);
        return c.Validity != null && (c.Validity[_row >> 6] & (1UL << (_row & 63))) == 0;
    }

    public bool GetBoolean(int column) => Value(column, DuckDbType.Boolean)[0] != 0;

    public sbyte GetSByte(int column) => checked((sbyte)GetInt64(column));

    public short GetInt16(int column) => checked((short)GetInt64(column));

    public int GetInt32(int column) => checked((int)GetInt64(column));

    public byte GetByte(int column) => checked((byte)GetInt64(column));

    public ushort GetUInt16(int column) => checked((ushort)GetInt64(column));

    public uint GetUInt32(int column) => checked((uint)GetInt64(column));

    /// <summary>Any integer column (and UBIGINT/HUGEINT values in range).</summary>
    public long GetInt64(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type switch
        {
            DuckDbType.TinyInt => *(sbyte*)p,
            DuckDbType.SmallInt => *(short*)p,
            DuckDbType.Integer => *(int*)p,
            DuckDbType.BigInt => *(long*)p,
            DuckDbType.UTinyInt => *p,
            DuckDbType.USmallInt => *(ushort*)p,
            DuckDbType.UInteger => *(uint*)p,
            DuckDbType.UBigInt => checked((long)*(ulong*)p),
            DuckDbType.HugeInt => checked((long)((DuckDbHugeInt*)p)->ToInt128()),
            DuckDbType.UHugeInt => checked((long)((DuckDbUHugeInt*)p)->ToUInt128()),
            _ => throw Mismatch(c, "an integer"),
        };
    }

    public ulong GetUInt64(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type switch
        {
            DuckDbType.UBigInt => *(ulong*)p,
            DuckDbType.UHugeInt => checked((ulong)((DuckDbUHugeInt*)p)->ToUInt128()),
            _ => checked((ulong)GetInt64(column)),
        };
    }

    /// <summary>HUGEINT (and any smaller integer).</summary>
    public Int128 GetInt128(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type switch
        {
            DuckDbType.HugeInt => ((DuckDbHugeInt*)p)->ToInt128(),
            DuckDbType.UHugeInt => checked((Int128)((DuckDbUHugeInt*)p)->ToUInt128()),
            DuckDbType.UBigInt => *(ulong*)p,
            _ => GetInt64(column),
        };
    }

    public UInt128 GetUInt128(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type == DuckDbType.UHugeInt ? ((DuckDbUHugeInt*)p)->ToUInt128() : checked((UInt128)GetInt128(column));
    }

    public float GetFloat(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type == DuckDbType.Float ? *(float*)p : (float)GetDouble(column);
    }

    /// <summary>FLOAT, DOUBLE, DECIMAL or any integer.</summary>
    public double GetDouble(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type switch
        {
            DuckDbType.Double => *(double*)p,
            DuckDbType.Float => *(float*)p,
            // Computed from the unscaled integer so DECIMAL(38, s) values beyond System.Decimal still read.
            DuckDbType.Decimal => (double)Unscaled(p, c) / Math.Pow(10, c.Scale),
            DuckDbType.HugeInt => (double)((DuckDbHugeInt*)p)->ToInt128(),
            DuckDbType.UHugeInt => (double)((DuckDbUHugeInt*)p)->ToUInt128(),
            DuckDbType.UBigInt => *(ulong*)p,
            _ => GetInt64(column),
        };
    }

    /// <summary>DECIMAL (up to 28 digits of scale and a 96-bit mantissa), integers, FLOAT/DOUBLE.</summary>
    public decimal GetDecimal(int column)
    {
        var p = NotNull(column, out var c);
        if (c.Type == DuckDbType.Decimal)
        {
            return Conversions.ToDecimal(Unscaled(p, c), c.Scale);
        }
        return c.Type switch
        {
            DuckDbType.Double => (decimal)*(double*)p,
            DuckDbType.Float => (decimal)*(float*)p,
            _ => (decimal)GetInt128(column),
        };
    }

    /// <summary>VARCHAR, ENUM (its label) or UUID (formatted).</summary>
    public string GetString(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type switch
        {
            DuckDbType.Varchar => Encoding.UTF8.GetString(StringBytes(p)),
            DuckDbType.Enum => c.EnumLabel(c.EnumInternalType switch
            {
                DuckDbType.UTinyInt => *p,
                DuckDbType.USmallInt => *(ushort*)p,
                _ => *(uint*)p,
            }),
            DuckDbType.Uuid => Conversions.ToGuid(*(DuckDbHugeInt*)p).ToString("D"),
            _ => throw Mismatch(c, "a string"),
        };
    }

    /// <summary>BLOB (or VARCHAR) bytes, copied.</summary>
    public byte[] GetBlob(int column) => GetBlobSpan(column).ToArray();

    /// <summary>BLOB (or VARCHAR) bytes without a copy; valid until the next <see cref="Read"/>.</summary>
    public ReadOnlySpan<byte> GetBlobSpan(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type is DuckDbType.Blob or DuckDbType.Varchar ? StringBytes(p) : throw Mismatch(c, "a blob");
    }

    public Guid GetGuid(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type switch
        {
            DuckDbType.Uuid => Conversions.ToGuid(*(DuckDbHugeInt*)p),
            DuckDbType.Varchar => Guid.Parse(GetString(column)),
            _ => throw Mismatch(c, "a UUID"),
        };
    }

    public DateOnly GetDate(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type == DuckDbType.Date ? Conversions.FromDays(*(int*)p) : DateOnly.FromDateTime(GetDateTime(column));
    }

    public TimeOnly GetTime(int column)
    {
        var p = NotNull(column, out var c);
        return c.Type == DuckDbType.Time ? Conversions.FromTimeMicros(*(long*)p) : throw Mismatch(c, "a TIME");
    }

    /// <summary>
    /// TIMESTAMP (any precision) as <see cref="DateTimeKind.Unspecified"/>, TIMESTAMPTZ as
    /// <see cref="DateTimeKind.Utc"/>, DATE as midnight.
    /// </summary>
    public DateTime GetDateTime(int column)
    {
        var p = NotNull(column, out var c);
        var value = *(long*)p;
        return c.Type switch
        {
            DuckDbType.Timestamp => Conversions.FromMicros(value, DateTimeKind.Unspecified),
            DuckDbType.TimestampTz => Conversions.FromMicros(value, DateTimeKind.Utc),
            DuckDbType.TimestampMilliseconds => Conversions.FromTicksSinceEpoch(checked(value * TimeSpan.TicksPerMillisecond), DateTimeKind.Unspecified),
            DuckDbType.TimestampSeconds => Conversions.FromTicksSinceEpoch(checked(value * TimeSpan.TicksPerSecond), DateTimeKind.Unspecified),
            DuckDbType.TimestampNanoseconds => Conversions.FromTicksSinceEpoch(value / 100, DateTimeKind.Unspecified),
            DuckDbType.Date => Conversions.FromDays(*(int*)p).ToDateTime(TimeOnly.MinValue),
            _ => throw Mismatch(c, "a timestamp"),
        };
    }

    /// <summary>TIMESTAMPTZ as an offset-0 instant; a plain TIMESTAMP is taken to be UTC.</summary>
    public DateTimeOffset GetDateTimeOffset(int column) =>
        new(DateTime.SpecifyKind(GetDateTime(column), DateTimeKind.Utc), TimeSpan.Zero);

    public DuckDbInterval GetInterval(int column)
    {
        var p = NotNull(column, out var c);
        if (c.Type != DuckDbType.Interval)
        {
            throw Mismatch(c, "an INTERVAL");
        }
        var value = (DuckDbIntervalStruct*)p;
        return new DuckDbInterval(value->Months, value->Days, value->Micros);
    }

    /// <summary>The value boxed as its natural .NET type, or null for NULL.</summary>
    public object? GetValue(int column)
    {
        if (IsNull(column))
        {
            return null;
        }
        var c = _columns[column];
        return c.Type switch
        {
            DuckDbType.Boolean => GetBoolean(column),
            DuckDbType.TinyInt => GetSByte(column),
            DuckDbType.SmallInt => GetInt16(column),
            DuckDbType.Integer => GetInt32(column),
            DuckDbType.BigInt => GetInt64(column),
            DuckDbType.UTinyInt => GetByte(column),
            DuckDbType.USmallInt => GetUInt16(column),
            DuckDbType.UInteger => GetUInt32(column),
            DuckDbType.UBigInt => GetUInt64(column),
            DuckDbType.HugeInt => GetInt128(column),
            DuckDbType.UHugeInt => GetUInt128(column),
            DuckDbType.Float => GetFloat(column),
            DuckDbType.Double => GetDouble(column),
            DuckDbType.Decimal => GetDecimal(column),
            DuckDbType.Varchar or DuckDbType.Enum => GetString(column),
            DuckDbType.Blob => GetBlob(column),
            DuckDbType.Uuid => GetGuid(column),
            DuckDbType.Date => GetDate(column),
            DuckDbType.Time => GetTime(column),
            DuckDbType.Interval => GetInterval(column),
            DuckDbType.TimestampTz => GetDateTimeOffset(column),
            DuckDbType.Timestamp or DuckDbType.TimestampSeconds or DuckDbType.TimestampMilliseconds or DuckDbType.TimestampNanoseconds => GetDateTime(column),
            _ => throw Mismatch(c, "a supported scalar type"),
        };
    }

    /// <summary>The value converted to <typeparamref name="T"/> (one of the getters' types).</summary>
    public T GetFieldValue<T>(int column)
    {
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (Nullable.GetUnderlyingType(typeof(T)) is not null && IsNull(column))
        {
            return default!;
        }
        object value = target switch
        {
            _ when target == typeof(bool) => GetBoolean(column),
            _ when target == typeof(sbyte) => GetSByte(column),
            _ when target == typeof(short) => GetInt16(column),
            _ when target == typeof(int) => GetInt32(column),
            _ when target == typeof(long) => GetInt64(column),
            _ when target == typeof(byte) => GetByte(column),
            _ when target == typeof(ushort) => GetUInt16(column),
            _ when target == typeof(uint) => GetUInt32(column),
            _ when target == typeof(ulong) => GetUInt64(column),
            _ when target == typeof(Int128) => GetInt128(column),
            _ when target == typeof(UInt128) => GetUInt128(column),
            _ when target == typeof(float) => GetFloat(column),
            _ when target == typeof(double) => GetDouble(column),
            _ when target == typeof(decimal) => GetDecimal(column),
            _ when target == typeof(string) => GetString(column),
            _ when target == typeof(byte[]) => GetBlob(column),
            _ when target == typeof(Guid) => GetGuid(column),
            _ when target == typeof(DateOnly) => GetDate(column),
            _ when target == typeof(TimeOnly) => GetTime(column),
            _ when target == typeof(DateTime) => GetDateTime(column),
            _ when target == typeof(DateTimeOffset) => GetDateTimeOffset(column),
            _ when target == typeof(DuckDbInterval) => GetInterval(column),
            _ when target == typeof(object) => GetValue(column) ?? throw NullValue(_columns[column]),
            _ => throw new InvalidCastException($"Column '{_columns[column].Name}' cannot be read as {typeof(T).Name}."),
        };
        return (T)value;
    }

    public void Dispose()
    {
        _chunk?.Dispose();
        _chunk = null;
        ReleaseStream();
        foreach (var column in _columns)
        {
            column.Release();
        }
        _handle.Dispose();
    }

    /// <summary>Marks the result as streaming: the connection is reserved until the stream ends or the result is disposed.</summary>
    internal void OwnStream(DuckDbConnection connection, IDisposable? owned)
    {
        _streamOwner = connection;
        _owned = owned;
        connection.SetStreaming(true);
    }

    private void ReleaseStream()
    {
        if (_streamOwner is not null)
        {
            // Destroy the native result first: it holds the stream that reserves the connection.
            _handle.Dispose();
            _streamOwner.SetStreaming(false);
            _streamOwner = null;
        }
        _owned?.Dispose();
        _owned = null;
    }

    internal static DuckDbResult Create(DuckDbConnection connection, DuckDbResultHandle handle, int state, string operation)
    {
        if (state != 0)
        {
            var message = Marshal.PtrToStringUTF8(NativeMethods.ResultError(handle.Pointer));
            handle.Dispose();
            throw connection.Failure(DuckDbException.From(operation, message));
        }
        try
        {
            return new DuckDbResult(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>A DECIMAL's unscaled integer, stored as int16/int32/int64/hugeint depending on its width.</summary>
    private static Int128 Unscaled(byte* p, Column c) => c.InternalType switch
    {
        DuckDbType.SmallInt => *(short*)p,
        DuckDbType.Integer => *(int*)p,
        DuckDbType.BigInt => *(long*)p,
        _ => ((DuckDbHugeInt*)p)->ToInt128(),
    };

    /// <summary>duckdb_string_t: 4-byte length, then up to 12 bytes inline or a 4-byte prefix and a pointer.</summary>
    private static ReadOnlySpan<byte> StringBytes(byte* value)
    {
        var length = *(uint*)value;
        return length <= 12
            ? new ReadOnlySpan<byte>(value + 4, (int)length)
            : new ReadOnlySpan<byte>(*(byte**)(value + 8), checked((int)length));
    }

    private Column ColumnAt(int column)
    {
        if ((uint)column >= (uint)_columns.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"The result has {_columns.Length} columns.");
        }
        return _columns[column];
    }

    private Column Current(int column)
    {
        var c = ColumnAt(column);
        if (_chunk is null || _row < 0 || _row >= _chunkSize)
        {
            throw new InvalidOperationException("No current row: call Read() first and check it returned true.");
        }
        return c;
    }

    private byte* Value(int column, DuckDbType expected)
    {
        var p = NotNull(column, out var c);
        return c.Type == expected ? p : throw Mismatch(c, expected.ToString());
    }

    private byte* NotNull(int column, out Column c)
    {
        if (IsNull(column))
        {
            throw NullValue(_columns[column]);
        }
        c = _columns[column];
        return c.Data + ((long)_row * c.Width);
    }

    private static InvalidOperationException NullValue(Column column) =>
        new($"Column '{column.Name}' is NULL in this row; check IsNull first.");

    private static InvalidCastException Mismatch(Column column, string wanted) =>
        new($"Column '{column.Name}' is {column.Type}, which cannot be read as {wanted}" +
            (column.Width == 0 ? "; CAST it to a scalar type in SQL." : "."));

    /// <summary>What is known about a column, and where its current chunk's vector lives.</summary>
    private sealed class Column
    {
        private string?[]? _enumLabels;
        private IntPtr _logicalType;

        public required int Index { get; init; }

        public required string Name { get; init; }

        public required DuckDbType Type { get; init; }

        /// <summary>Bytes per value in the vector; 0 for types this reader does not support.</summary>
        public required int Width { get; init; }

        public DuckDbType InternalType { get; init; }

        public DuckDbType EnumInternalType { get; init; }

        public int Scale { get; init; }

        public byte* Data { get; set; }

        public ulong* Validity { get; set; }

        public static Column Describe(DuckDbResultStruct* result, int index)
        {
            var type = (DuckDbType)NativeMethods.ColumnType(result, (ulong)index);
            var name = Marshal.PtrToStringUTF8(NativeMethods.ColumnName(result, (ulong)index)) ?? index.ToString(CultureInfo.InvariantCulture);
            var internalType = DuckDbType.Invalid;
            var enumInternalType = DuckDbType.Invalid;
            var scale = 0;
            IntPtr logicalType = IntPtr.Zero;
            if (type is DuckDbType.Decimal or DuckDbType.Enum)
            {
                logicalType = NativeMethods.ColumnLogicalType(result, (ulong)index);
                if (type == DuckDbType.Decimal)
                {
                    scale = NativeMethods.DecimalScale(logicalType);
                    internalType = (DuckDbType)NativeMethods.DecimalInternalType(logicalType);
                    NativeMethods.DestroyLogicalType(ref logicalType);
                }
                else
                {
                    enumInternalType = (DuckDbType)NativeMethods.EnumInternalType(logicalType);
                }
            }
            var width = type switch
            {
                DuckDbType.Boolean or DuckDbType.TinyInt or DuckDbType.UTinyInt => 1,
                DuckDbType.SmallInt or DuckDbType.USmallInt => 2,
                DuckDbType.Integer or DuckDbType.UInteger or DuckDbType.Float or DuckDbType.Date => 4,
                DuckDbType.BigInt or DuckDbType.UBigInt or DuckDbType.Double or DuckDbType.Time or DuckDbType.Timestamp
                    or DuckDbType.TimestampTz or DuckDbType.TimestampSeconds or DuckDbType.TimestampMilliseconds
                    or DuckDbType.TimestampNanoseconds => 8,
                DuckDbType.HugeInt or DuckDbType.UHugeInt or DuckDbType.Uuid or DuckDbType.Interval
                    or DuckDbType.Varchar or DuckDbType.Blob => 16,
                DuckDbType.Decimal => internalType switch
                {
                    DuckDbType.SmallInt => 2,
                    DuckDbType.Integer => 4,
                    DuckDbType.BigInt => 8,
                    _ => 16,
                },
                DuckDbType.Enum => enumInternalType switch
                {
                    DuckDbType.UTinyInt => 1,
                    DuckDbType.USmallInt => 2,
                    _ => 4,
                },
                _ => 0,
            };
            return new Column
            {
                Index = index,
                Name = name,
                Type = type,
                Width = width,
                InternalType = internalType,
                EnumInternalType = enumInternalType,
                Scale = scale,
                _logicalType = logicalType,
            };
        }

        public void Release()
        {
            if (_logicalType != IntPtr.Zero)
            {
                NativeMethods.DestroyLogicalType(ref _logicalType);
                _logicalType = IntPtr.Zero;
            }
        }

        public string EnumLabel(uint index)
        {
            _enumLabels ??= new string?[NativeMethods.EnumDictionarySize(_logicalType)];
            if (index >= _enumLabels.Length)
            {
                throw new InvalidOperationException($"Column '{Name}': ENUM index {index} is outside its dictionary.");
            }
            if (_enumLabels[index] is null)
            {
                var label = NativeMethods.EnumDictionaryValue(_logicalType, index);
                _enumLabels[index] = Marshal.PtrToStringUTF8(label) ?? string.Empty;
                NativeMethods.Free(label);
            }
            return _enumLabels[index]!;
        }
    }
}
