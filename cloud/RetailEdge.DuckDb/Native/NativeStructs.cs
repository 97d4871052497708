using System.Runtime.InteropServices;

namespace RetailEdge.DuckDb.Native;

// Blittable mirrors of the structs in DuckDB's C API header (duckdb.h, 1.5.x). Field order and
// sizes must match the header exactly: these are passed by value across the P/Invoke boundary.

/// <summary>duckdb_result: 48 bytes, only internal_data is used (the other fields are deprecated).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbResultStruct
{
    public ulong DeprecatedColumnCount;
    public ulong DeprecatedRowCount;
    public ulong DeprecatedRowsChanged;
    public IntPtr DeprecatedColumns;
    public IntPtr DeprecatedErrorMessage;
    public IntPtr InternalData;
}

/// <summary>duckdb_hugeint: value = upper * 2^64 + lower.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbHugeInt
{
    public ulong Lower;
    public long Upper;

    public DuckDbHugeInt(Int128 value)
    {
        Lower = (ulong)(value & ulong.MaxValue);
        Upper = (long)(value >> 64);
    }

    public readonly Int128 ToInt128() => new((ulong)Upper, Lower);
}

/// <summary>duckdb_uhugeint.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbUHugeInt
{
    public ulong Lower;
    public ulong Upper;

    public DuckDbUHugeInt(UInt128 value)
    {
        Lower = (ulong)(value & ulong.MaxValue);
        Upper = (ulong)(value >> 64);
    }

    public readonly UInt128 ToUInt128() => new(Upper, Lower);
}

/// <summary>duckdb_decimal: width and scale, then the unscaled value as a hugeint (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbDecimalStruct
{
    public byte Width;
    public byte Scale;
    public DuckDbHugeInt Value;
}

/// <summary>duckdb_interval.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbIntervalStruct
{
    public int Months;
    public int Days;
    public long Micros;
}
