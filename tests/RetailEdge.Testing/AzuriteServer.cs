namespace RetailEdge.Testing;

/// <summary>
/// A real Azurite blob service on 127.0.0.1 and a free port (installed by scripts/setup-tools.sh),
/// with the well-known development account.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's documented development account; not a secret.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's documented development key; not a secret.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly TempDirectory _directory = new("azurite");
    private ManagedProcess? _process;

    private AzuriteServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>The blob endpoint including the account, e.g. http://127.0.0.1:10000/devstoreaccount1.</summary>
    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    public string Output => _process?.Output ?? string.Empty;

    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new AzuriteServer(FreePort.Next());
        var script = RepoPaths.Require(Path.Combine(RepoPaths.NodeModules, "azurite", "dist", "src", "blob", "main.js"), "azurite");
        server._process = ManagedProcess.Start("node",
        [
            script,
            "--blobHost", "127.0.0.1",
            "--blobPort", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", server._directory.Path,
            "--loose",
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--silent",
        ]);
        await FreePort.WaitListeningAsync(server.Port, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }
        _directory.Dispose();
    }
}
