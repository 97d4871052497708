using System.Runtime.InteropServices;

namespace RetailEdge.DuckDb.Native;

/// <summary>
/// The subset of DuckDB's C API (duckdb.h, 1.5.x) this binding uses. Handles are opaque pointers;
/// <c>duckdb_state</c> is 0 for success. C <c>bool</c> is one byte, passed as <see cref="byte"/> to
/// stay blittable. Strings passed in are UTF-8; strings returned are owned by DuckDB unless noted.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "duckdb";

    // --- open / connect ---------------------------------------------------------------------
    [LibraryImport(Library, EntryPoint = "duckdb_open_ext", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string? path, out IntPtr database, IntPtr config, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "duckdb_close")]
    internal static partial void Close(ref IntPtr database);

    [LibraryImport(Library, EntryPoint = "duckdb_connect")]
    internal static partial int Connect(DuckDbDatabaseHandle database, out IntPtr connection);

    [LibraryImport(Library, EntryPoint = "duckdb_disconnect")]
    internal static partial void Disconnect(ref IntPtr connection);

    [LibraryImport(Library, EntryPoint = "duckdb_interrupt")]
    internal static partial void Interrupt(DuckDbConnectionHandle connection);

    [LibraryImport(Library, EntryPoint = "duckdb_library_version")]
    internal static partial IntPtr LibraryVersion();

    [LibraryImport(Library, EntryPoint = "duckdb_free")]
    internal static partial void Free(IntPtr pointer);

    // --- configuration ----------------------------------------------------------------------
    [LibraryImport(Library, EntryPoint = "duckdb_create_config")]
    internal static partial int CreateConfig(out IntPtr config);

    [LibraryImport(Library, EntryPoint = "duckdb_set_config", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SetConfig(IntPtr config, string name, string option);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_config")]
    internal static partial void DestroyConfig(ref IntPtr config);

    // --- queries and results ----------------------------------------------------------------
    [LibraryImport(Library, EntryPoint = "duckdb_query")]
    internal static partial int Query(DuckDbConnectionHandle connection, byte* query, DuckDbResultStruct* result);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_result")]
    internal static partial void DestroyResult(DuckDbResultStruct* result);

    [LibraryImport(Library, EntryPoint = "duckdb_result_error")]
    internal static partial IntPtr ResultError(DuckDbResultStruct* result);

    [LibraryImport(Library, EntryPoint = "duckdb_column_count")]
    internal static partial ulong ColumnCount(DuckDbResultStruct* result);

    [LibraryImport(Library, EntryPoint = "duckdb_rows_changed")]
    internal static partial ulong RowsChanged(DuckDbResultStruct* result);

    [LibraryImport(Library, EntryPoint = "duckdb_column_name")]
    internal static partial IntPtr ColumnName(DuckDbResultStruct* result, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_column_type")]
    internal static partial int ColumnType(DuckDbResultStruct* result, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_column_logical_type")]
    internal static partial IntPtr ColumnLogicalType(DuckDbResultStruct* result, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_logical_type")]
    internal static partial void DestroyLogicalType(ref IntPtr logicalType);

    [LibraryImport(Library, EntryPoint = "duckdb_decimal_width")]
    internal static partial byte DecimalWidth(IntPtr logicalType);

    [LibraryImport(Library, EntryPoint = "duckdb_decimal_scale")]
    internal static partial byte DecimalScale(IntPtr logicalType);

    [LibraryImport(Library, EntryPoint = "duckdb_decimal_internal_type")]
    internal static partial int DecimalInternalType(IntPtr logicalType);

    [LibraryImport(Library, EntryPoint = "duckdb_enum_internal_type")]
    internal static partial int EnumInternalType(IntPtr logicalType);

    [LibraryImport(Library, EntryPoint = "duckdb_enum_dictionary_size")]
    internal static partial uint EnumDictionarySize(IntPtr logicalType);

    /// <summary>Returns a string the caller frees with duckdb_free.</summary>
    [LibraryImport(Library, EntryPoint = "duckdb_enum_dictionary_value")]
    internal static partial IntPtr EnumDictionaryValue(IntPtr logicalType, ulong index);

    /// <summary>Takes the result by value (a copy of the 48-byte struct).</summary>
    [LibraryImport(Library, EntryPoint = "duckdb_fetch_chunk")]
    internal static partial IntPtr FetchChunk(DuckDbResultStruct result);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_data_chunk")]
    internal static partial void DestroyDataChunk(ref IntPtr chunk);

    [LibraryImport(Library, EntryPoint = "duckdb_data_chunk_get_size")]
    internal static partial ulong DataChunkGetSize(IntPtr chunk);

    [LibraryImport(Library, EntryPoint = "duckdb_data_chunk_get_vector")]
    internal static partial IntPtr DataChunkGetVector(IntPtr chunk, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_vector_get_data")]
    internal static partial void* VectorGetData(IntPtr vector);

    /// <summary>Null when every row of the vector is valid.</summary>
    [LibraryImport(Library, EntryPoint = "duckdb_vector_get_validity")]
    internal static partial ulong* VectorGetValidity(IntPtr vector);

    // --- prepared statements ----------------------------------------------------------------
    [LibraryImport(Library, EntryPoint = "duckdb_prepare")]
    internal static partial int Prepare(DuckDbConnectionHandle connection, byte* query, out IntPtr statement);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_prepare")]
    internal static partial void DestroyPrepare(ref IntPtr statement);

    [LibraryImport(Library, EntryPoint = "duckdb_prepare_error")]
    internal static partial IntPtr PrepareError(DuckDbStatementHandle statement);

    [LibraryImport(Library, EntryPoint = "duckdb_prepare_error")]
    internal static partial IntPtr PrepareError(IntPtr statement);

    [LibraryImport(Library, EntryPoint = "duckdb_nparams")]
    internal static partial ulong ParameterCount(DuckDbStatementHandle statement);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_parameter_index", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int BindParameterIndex(DuckDbStatementHandle statement, out ulong index, string name);

    [LibraryImport(Library, EntryPoint = "duckdb_clear_bindings")]
    internal static partial int ClearBindings(DuckDbStatementHandle statement);

    [LibraryImport(Library, EntryPoint = "duckdb_execute_prepared")]
    internal static partial int ExecutePrepared(DuckDbStatementHandle statement, DuckDbResultStruct* result);

    /// <summary>Executes so that chunks are produced as they are fetched (deprecated in 1.5 but exported; pinned library).</summary>
    [LibraryImport(Library, EntryPoint = "duckdb_execute_prepared_streaming")]
    internal static partial int ExecutePreparedStreaming(DuckDbStatementHandle statement, DuckDbResultStruct* result);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_null")]
    internal static partial int BindNull(DuckDbStatementHandle statement, ulong index);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_boolean")]
    internal static partial int BindBoolean(DuckDbStatementHandle statement, ulong index, byte value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_int8")]
    internal static partial int BindInt8(DuckDbStatementHandle statement, ulong index, sbyte value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_int16")]
    internal static partial int BindInt16(DuckDbStatementHandle statement, ulong index, short value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_int32")]
    internal static partial int BindInt32(DuckDbStatementHandle statement, ulong index, int value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_int64")]
    internal static partial int BindInt64(DuckDbStatementHandle statement, ulong index, long value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_uint8")]
    internal static partial int BindUInt8(DuckDbStatementHandle statement, ulong index, byte value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_uint16")]
    internal static partial int BindUInt16(DuckDbStatementHandle statement, ulong index, ushort value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_uint32")]
    internal static partial int BindUInt32(DuckDbStatementHandle statement, ulong index, uint value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_uint64")]
    internal static partial int BindUInt64(DuckDbStatementHandle statement, ulong index, ulong value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_hugeint")]
    internal static partial int BindHugeInt(DuckDbStatementHandle statement, ulong index, DuckDbHugeInt value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_uhugeint")]
    internal static partial int BindUHugeInt(DuckDbStatementHandle statement, ulong index, DuckDbUHugeInt value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_decimal")]
    internal static partial int BindDecimal(DuckDbStatementHandle statement, ulong index, DuckDbDecimalStruct value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_float")]
    internal static partial int BindFloat(DuckDbStatementHandle statement, ulong index, float value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_double")]
    internal static partial int BindDouble(DuckDbStatementHandle statement, ulong index, double value);

    /// <summary>duckdb_date is a struct holding int32 days since 1970-01-01; passed as that int.</summary>
    [LibraryImport(Library, EntryPoint = "duckdb_bind_date")]
    internal static partial int BindDate(DuckDbStatementHandle statement, ulong index, int days);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_time")]
    internal static partial int BindTime(DuckDbStatementHandle statement, ulong index, long micros);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_timestamp")]
    internal static partial int BindTimestamp(DuckDbStatementHandle statement, ulong index, long micros);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_timestamp_tz")]
    internal static partial int BindTimestampTz(DuckDbStatementHandle statement, ulong index, long micros);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_interval")]
    internal static partial int BindInterval(DuckDbStatementHandle statement, ulong index, DuckDbIntervalStruct value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_varchar_length")]
    internal static partial int BindVarchar(DuckDbStatementHandle statement, ulong index, byte* value, ulong length);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_blob")]
    internal static partial int BindBlob(DuckDbStatementHandle statement, ulong index, byte* data, ulong length);

    // --- values (for appender types without a dedicated append function) -------------------
    [LibraryImport(Library, EntryPoint = "duckdb_create_decimal")]
    internal static partial IntPtr CreateDecimal(DuckDbDecimalStruct value);

    [LibraryImport(Library, EntryPoint = "duckdb_create_timestamp_tz")]
    internal static partial IntPtr CreateTimestampTz(long micros);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_value")]
    internal static partial void DestroyValue(ref IntPtr value);

    // --- appender ---------------------------------------------------------------------------
    [LibraryImport(Library, EntryPoint = "duckdb_appender_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int AppenderCreate(DuckDbConnectionHandle connection, string? schema, string table, out IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_error")]
    internal static partial IntPtr AppenderError(DuckDbAppenderHandle appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_error")]
    internal static partial IntPtr AppenderError(IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_flush")]
    internal static partial int AppenderFlush(IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_close")]
    internal static partial int AppenderClose(IntPtr appender);

    /// <summary>Drops buffered rows without writing them.</summary>
    [LibraryImport(Library, EntryPoint = "duckdb_appender_clear")]
    internal static partial int AppenderClear(IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_destroy")]
    internal static partial int AppenderDestroy(ref IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_column_count")]
    internal static partial ulong AppenderColumnCount(DuckDbAppenderHandle appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_end_row")]
    internal static partial int AppenderEndRow(IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_append_null")]
    internal static partial int AppendNull(IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_append_bool")]
    internal static partial int AppendBool(IntPtr appender, byte value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_int8")]
    internal static partial int AppendInt8(IntPtr appender, sbyte value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_int16")]
    internal static partial int AppendInt16(IntPtr appender, short value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_int32")]
    internal static partial int AppendInt32(IntPtr appender, int value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_int64")]
    internal static partial int AppendInt64(IntPtr appender, long value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_uint8")]
    internal static partial int AppendUInt8(IntPtr appender, byte value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_uint16")]
    internal static partial int AppendUInt16(IntPtr appender, ushort value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_uint32")]
    internal static partial int AppendUInt32(IntPtr appender, uint value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_uint64")]
    internal static partial int AppendUInt64(IntPtr appender, ulong value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_hugeint")]
    internal static partial int AppendHugeInt(IntPtr appender, DuckDbHugeInt value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_uhugeint")]
    internal static partial int AppendUHugeInt(IntPtr appender, DuckDbUHugeInt value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_float")]
    internal static partial int AppendFloat(IntPtr appender, float value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_double")]
    internal static partial int AppendDouble(IntPtr appender, double value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_date")]
    internal static partial int AppendDate(IntPtr appender, int days);

    [LibraryImport(Library, EntryPoint = "duckdb_append_time")]
    internal static partial int AppendTime(IntPtr appender, long micros);

    [LibraryImport(Library, EntryPoint = "duckdb_append_timestamp")]
    internal static partial int AppendTimestamp(IntPtr appender, long micros);

    [LibraryImport(Library, EntryPoint = "duckdb_append_interval")]
    internal static partial int AppendInterval(IntPtr appender, DuckDbIntervalStruct value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_varchar_length")]
    internal static partial int AppendVarchar(IntPtr appender, byte* value, ulong length);

    [LibraryImport(Library, EntryPoint = "duckdb_append_blob")]
    internal static partial int AppendBlob(IntPtr appender, byte* data, ulong length);

    [LibraryImport(Library, EntryPoint = "duckdb_append_value")]
    internal static partial int AppendValue(IntPtr appender, IntPtr value);
}
