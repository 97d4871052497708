using System.Runtime.InteropServices;

namespace RetailEdge.DuckDb.Native;

/// <summary>
/// A DuckDB object handle. A child (connection, statement, appender) keeps its parent alive with
/// DangerousAddRef so native objects are always destroyed child-first, whatever order the
/// finalizer or the caller disposes them in.
/// </summary>
internal abstract class DuckDbHandle : SafeHandle
{
    private SafeHandle? _parent;

    protected DuckDbHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal void Initialize(IntPtr value, SafeHandle? parent)
    {
        if (parent is not null)
        {
            var added = false;
            parent.DangerousAddRef(ref added);
            _parent = parent;
        }
        SetHandle(value);
    }

    protected sealed override bool ReleaseHandle()
    {
        var value = handle;
        Destroy(ref value);
        handle = IntPtr.Zero;
        _parent?.DangerousRelease();
        _parent = null;
        return true;
    }

    protected abstract void Destroy(ref IntPtr value);
}

internal sealed class DuckDbDatabaseHandle : DuckDbHandle
{
    protected override void Destroy(ref IntPtr value) => NativeMethods.Close(ref value);
}

internal sealed class DuckDbConnectionHandle : DuckDbHandle
{
    protected override void Destroy(ref IntPtr value) => NativeMethods.Disconnect(ref value);
}

internal sealed class DuckDbStatementHandle : DuckDbHandle
{
    protected override void Destroy(ref IntPtr value) => NativeMethods.DestroyPrepare(ref value);
}

internal sealed class DuckDbAppenderHandle : DuckDbHandle
{
    // duckdb_appender_destroy flushes what is buffered; errors there cannot be reported from a
    // finalizer, which is why DuckDbAppender.Close() flushes explicitly first.
    protected override void Destroy(ref IntPtr value) => _ = NativeMethods.AppenderDestroy(ref value);
}

/// <summary>Owns an unmanaged duckdb_result struct (the C API fills a caller-allocated struct).</summary>
internal sealed unsafe class DuckDbResultHandle : DuckDbHandle
{
    public static DuckDbResultHandle Allocate()
    {
        var result = new DuckDbResultHandle();
        result.Initialize((IntPtr)NativeMemory.AllocZeroed((nuint)sizeof(DuckDbResultStruct)), parent: null);
        return result;
    }

    public DuckDbResultStruct* Pointer => (DuckDbResultStruct*)handle;

    protected override void Destroy(ref IntPtr value)
    {
        // duckdb_destroy_result must be called even when the query failed (it frees the error).
        NativeMethods.DestroyResult((DuckDbResultStruct*)value);
        NativeMemory.Free((void*)value);
    }
}

/// <summary>A data chunk fetched from a result.</summary>
internal sealed class DuckDbChunkHandle : DuckDbHandle
{
    protected override void Destroy(ref IntPtr value) => NativeMethods.DestroyDataChunk(ref value);
}
