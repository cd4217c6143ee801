using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace GitOps.Sdk.TestUtilities.Helm;

/// <summary>
/// A static HTTP server on 127.0.0.1 serving a folder (a Helm chart repository: <c>index.yaml</c> and <c>.tgz</c> files),
/// with optional basic auth, strong ETags and <c>If-None-Match</c>/<c>If-Modified-Since</c> like real web servers, and a log
/// of every request for assertions.
/// </summary>
public sealed class ChartRepositoryServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<ServedRequest> _requests = new();

    /// <summary>Initializes a new instance and starts serving <paramref name="rootDirectory"/>.</summary>
    /// <param name="rootDirectory">The folder served at <c>/</c>.</param>
    /// <param name="username">A required basic-auth user, or <see langword="null"/>.</param>
    /// <param name="password">The password.</param>
    public ChartRepositoryServer(string rootDirectory, string? username = null, string? password = null)
    {
        RootDirectory = rootDirectory;
        Username = username;
        Password = password;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Gets the served folder.</summary>
    public string RootDirectory { get; }

    /// <summary>Gets the required user, or <see langword="null"/>.</summary>
    public string? Username { get; }

    /// <summary>Gets the required password.</summary>
    public string? Password { get; }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Gets the base URL, <c>http://127.0.0.1:port</c> (no trailing slash).</summary>
    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Gets every request served so far.</summary>
    public IReadOnlyList<ServedRequest> Requests => [.. _requests];

    /// <summary>Gets or sets a value indicating whether ETags are sent (off simulates servers that only send <c>Last-Modified</c>).</summary>
    public bool SendETags { get; set; } = true;

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();

        // Close alone: on Linux, Stop followed by Close unregisters the prefixes twice, and the second pass re-binds
        // the port (HttpEndPointManager.GetEPListener), failing with "Address already in use" once another test owns it.
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => Serve(context));
        }
    }

    private void Serve(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = Uri.UnescapeDataString(request.Url!.AbsolutePath);
        var status = 200;
        var recorded = false;
        try
        {
            if (Username is not null && !Authorized(request.Headers["Authorization"]))
            {
                status = 401;
                response.AddHeader("WWW-Authenticate", "Basic realm=\"charts\"");
                return;
            }

            var file = Path.GetFullPath(Path.Combine(RootDirectory, path.TrimStart('/')));
            if (!file.StartsWith(Path.GetFullPath(RootDirectory), StringComparison.Ordinal) || !File.Exists(file))
            {
                status = 404;
                return;
            }

            var bytes = File.ReadAllBytes(file);
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"";
            var modified = File.GetLastWriteTimeUtc(file);
            modified = new DateTime(modified.Ticks - (modified.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            if (SendETags)
            {
                response.AddHeader("ETag", etag);
            }

            response.AddHeader("Last-Modified", modified.ToString("R", CultureInfo.InvariantCulture));
            var ifNoneMatch = request.Headers["If-None-Match"];
            var ifModifiedSince = request.Headers["If-Modified-Since"];
            if ((SendETags && ifNoneMatch is not null && ifNoneMatch.Split(',').Any(t => t.Trim() == etag))
                || (ifNoneMatch is null && ifModifiedSince is not null
                    && DateTime.TryParse(ifModifiedSince, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var since)
                    && modified <= since))
            {
                status = 304;
                return;
            }

            response.ContentType = file.EndsWith(".yaml", StringComparison.Ordinal) ? "application/x-yaml" : "application/gzip";
            response.ContentLength64 = bytes.Length;

            // Recorded before the body goes out: with the length known, the client may be done before Close returns.
            Record();
            if (request.HttpMethod != "HEAD")
            {
                response.OutputStream.Write(bytes);
            }
        }
        catch (HttpListenerException)
        {
        }
        finally
        {
            Record();
            try
            {
                response.StatusCode = status;
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or InvalidOperationException or ObjectDisposedException)
            {
            }
        }

        void Record()
        {
            if (!recorded)
            {
                recorded = true;
                _requests.Enqueue(new ServedRequest(request.HttpMethod, path, status, request.Headers["Authorization"] is not null));
            }
        }
    }

    private bool Authorized(string? header)
    {
        if (header is null || !header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
            return decoded == $"{Username}:{Password}";
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>One request the chart repository server answered.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The URL path.</param>
/// <param name="Status">The status code sent.</param>
/// <param name="HadAuthorization">Whether an <c>Authorization</c> header came with it.</param>
public sealed record ServedRequest(string Method, string Path, int Status, bool HadAuthorization);
