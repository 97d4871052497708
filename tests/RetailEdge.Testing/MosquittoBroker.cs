namespace RetailEdge.Testing;

/// <summary>
/// A real mosquitto broker on 127.0.0.1 and a free port, started for a test and stopped by PID.
/// <see cref="RestartAsync"/> keeps the port, so clients can prove reconnects.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("mosquitto");
    private ManagedProcess? _process;

    private MosquittoBroker(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string Host => "127.0.0.1";

    public string Output => _process?.Output ?? string.Empty;

    public static string Executable =>
        File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";

    /// <summary>mosquitto_pub / mosquitto_sub, for tests that need an independent client.</summary>
    public static string ClientTool(string name) =>
        File.Exists("/usr/bin/" + name) ? "/usr/bin/" + name : name;

    /// <param name="extraConfig">lines appended to the generated configuration</param>
    public static Task<MosquittoBroker> StartAsync(string? extraConfig = null, CancellationToken cancellationToken = default) =>
        StartAsync(extraConfig, users: null, cancellationToken);

    /// <param name="extraConfig">lines appended to the generated configuration</param>
    /// <param name="users">when given, the broker refuses anonymous clients and knows these users (a mosquitto_passwd file)</param>
    /// <param name="cancellationToken">cancels the start</param>
    public static async Task<MosquittoBroker> StartAsync(string? extraConfig, IReadOnlyDictionary<string, string>? users, CancellationToken cancellationToken = default)
    {
        var broker = new MosquittoBroker(FreePort.Next());
        var config = broker._directory.Combine("mosquitto.conf");
        var authentication = "allow_anonymous true";
        if (users is not null)
        {
            var passwords = broker._directory.Combine("passwd");
            foreach (var (user, password) in users)
            {
                await using var tool = ManagedProcess.Start(ClientTool("mosquitto_passwd"), File.Exists(passwords) ? ["-b", passwords, user, password] : ["-c", "-b", passwords, user, password]);
                if (await tool.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false) != 0)
                {
                    throw new InvalidOperationException("mosquitto_passwd failed: " + tool.Output);
                }
            }
            authentication = $"allow_anonymous false\npassword_file {passwords}";
        }
        await File.WriteAllTextAsync(config,
            $"""
            listener {broker.Port} 127.0.0.1
            {authentication}
            persistence false
            max_queued_messages 100000
            log_dest stdout
            log_type error
            log_type warning
            log_type notice
            {extraConfig}
            """, cancellationToken).ConfigureAwait(false);
        await broker.StartProcessAsync(cancellationToken).ConfigureAwait(false);
        return broker;
    }

    /// <summary>Kills the broker (SIGKILL) and starts it again on the same port.</summary>
    public async Task RestartAsync(TimeSpan downtime = default, CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
        }
        await StartProcessAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _directory.Dispose();
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        _process = ManagedProcess.Start(Executable, ["-c", _directory.Combine("mosquitto.conf")]);
        await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
    }
}
