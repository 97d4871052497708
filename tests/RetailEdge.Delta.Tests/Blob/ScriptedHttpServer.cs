using System.Collections.Concurrent;
using System.Net;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests.Blob;

/// <summary>
/// A real HTTP server on 127.0.0.1 that answers with scripted responses in order (the last one
/// repeats) and records every request's method, URL and headers: for behaviour Azurite cannot
/// show (transient 5xx/429).
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<(HttpStatusCode Status, Dictionary<string, string> Headers)> _script = new();
    private readonly Task _loop;

    public ScriptedHttpServer(params (HttpStatusCode Status, Dictionary<string, string> Headers)[] script)
    {
        foreach (var step in script)
        {
            _script.Enqueue(step);
        }
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/account1");

    public ConcurrentQueue<(string Method, string Url, Dictionary<string, string> Headers)> Requests { get; } = new();

    public static (HttpStatusCode, Dictionary<string, string>) Respond(HttpStatusCode status, params (string Name, string Value)[] headers) =>
        (status, headers.ToDictionary(h => h.Name, h => h.Value));

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue((context.Request.HttpMethod, context.Request.RawUrl ?? string.Empty, headers));
            await context.Request.InputStream.CopyToAsync(Stream.Null);
            var (status, responseHeaders) = _script.Count > 1 ? _script.Dequeue() : _script.Peek();
            context.Response.StatusCode = (int)status;
            foreach (var (name, value) in responseHeaders)
            {
                context.Response.Headers[name] = value;
            }
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
    }
}
