namespace RetailEdge.DuckDb;

/// <summary>Ends what <see cref="DuckDbConnection.CancelOn"/> started: the token no longer interrupts the connection.</summary>
public readonly struct DuckDbCancellationScope : IDisposable, IEquatable<DuckDbCancellationScope>
{
    private readonly DuckDbConnection? _connection;
    private readonly CancellationTokenRegistration _registration;

    internal DuckDbCancellationScope(DuckDbConnection connection, CancellationTokenRegistration registration)
    {
        _connection = connection;
        _registration = registration;
    }

    public void Dispose()
    {
        _registration.Dispose();
        _connection?.ClearCancellation();
    }

    public bool Equals(DuckDbCancellationScope other) => ReferenceEquals(_connection, other._connection) && _registration.Equals(other._registration);

    public override bool Equals(object? obj) => obj is DuckDbCancellationScope other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_connection, _registration);

    public static bool operator ==(DuckDbCancellationScope left, DuckDbCancellationScope right) => left.Equals(right);

    public static bool operator !=(DuckDbCancellationScope left, DuckDbCancellationScope right) => !left.Equals(right);
}
