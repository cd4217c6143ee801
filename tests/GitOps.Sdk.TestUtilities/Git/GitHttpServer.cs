using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.TestUtilities.Git;

/// <summary>
/// A smart HTTP Git server on 127.0.0.1: Kestrel hands each request to the real <c>git http-backend</c> as a CGI
/// program. Optional basic authentication, bearer token check, HTTPS with a given certificate, and a throttle that
/// slows pack downloads (for cancellation tests). Counts the requests it served.
/// </summary>
public sealed class GitHttpServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly GitHttpServerOptions options;
    private int uploadPackRequests;
    private int refAdvertisements;
    private int unauthorized;

    private GitHttpServer(WebApplication app, GitHttpServerOptions options, string baseUrl)
    {
        this.app = app;
        this.options = options;
        BaseUrl = baseUrl;
    }

    /// <summary>Gets the server's base URL, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Gets how many pack negotiations (<c>POST …/git-upload-pack</c>, i.e. fetches that transfer objects) were served.</summary>
    public int UploadPackRequests => Volatile.Read(ref uploadPackRequests);

    /// <summary>Gets how many ref advertisements (<c>GET …/info/refs</c>, i.e. ls-remote) were served.</summary>
    public int RefAdvertisements => Volatile.Read(ref refAdvertisements);

    /// <summary>Gets how many requests were answered 401.</summary>
    public int UnauthorizedResponses => Volatile.Read(ref unauthorized);

    /// <summary>Starts a server publishing the repositories under <paramref name="options"/>' root.</summary>
    /// <param name="options">The settings.</param>
    /// <returns>The running server.</returns>
    public static async Task<GitHttpServer> StartAsync(GitHttpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (options.Certificate is not null)
                {
                    listen.UseHttps(options.Certificate);
                }
            });
        });
        var app = builder.Build();
        GitHttpServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        server = new GitHttpServer(app, options, $"{(options.Certificate is null ? "http" : "https")}://127.0.0.1:{port}");
        return server;
    }

    /// <summary>Returns the URL of a repository.</summary>
    /// <param name="name">The repository name (without <c>.git</c>).</param>
    /// <returns>The URL.</returns>
    public string UrlOf(string name) => $"{BaseUrl}/{name}.git";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var remoteUser = Authenticate(request);
        if (remoteUser is null)
        {
            Interlocked.Increment(ref unauthorized);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = options.BearerToken is not null ? "Bearer realm=\"git\"" : "Basic realm=\"git\"";
            return;
        }

        var path = request.Path.Value ?? "/";
        if (path.EndsWith("/git-upload-pack", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref uploadPackRequests);
        }
        else if (path.EndsWith("/info/refs", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref refAdvertisements);
        }

        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("http-backend");
        psi.Environment["GIT_PROJECT_ROOT"] = options.Root;
        psi.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        psi.Environment["PATH_INFO"] = path;
        psi.Environment["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty;
        psi.Environment["REQUEST_METHOD"] = request.Method;
        psi.Environment["CONTENT_TYPE"] = request.ContentType ?? string.Empty;
        psi.Environment["REMOTE_USER"] = remoteUser;
        psi.Environment["REMOTE_ADDR"] = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";
        psi.Environment["SERVER_PROTOCOL"] = "HTTP/1.1";
        psi.Environment["GATEWAY_INTERFACE"] = "CGI/1.1";
        if (request.ContentLength is { } length)
        {
            psi.Environment["CONTENT_LENGTH"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (request.Headers.ContentEncoding.Count > 0)
        {
            psi.Environment["HTTP_CONTENT_ENCODING"] = request.Headers.ContentEncoding.ToString();
        }

        if (request.Headers.TryGetValue("Git-Protocol", out var protocol))
        {
            psi.Environment["GIT_PROTOCOL"] = protocol.ToString();
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start git http-backend");
        var errors = process.StandardError.ReadToEndAsync(context.RequestAborted);
        try
        {
            await request.Body.CopyToAsync(process.StandardInput.BaseStream, context.RequestAborted);
            process.StandardInput.Close();

            var output = process.StandardOutput.BaseStream;
            var headers = await ReadCgiHeadersAsync(output, context.RequestAborted);
            foreach (var (name, value) in headers)
            {
                if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                }
                else
                {
                    context.Response.Headers.Append(name, value);
                }
            }

            var buffer = new byte[options.ThrottleBytesPerSecond is > 0 ? 4096 : 65536];
            int read;
            while ((read = await output.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                if (options.ThrottleBytesPerSecond is > 0 and var rate)
                {
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(TimeSpan.FromSeconds((double)read / rate), context.RequestAborted);
                }
            }

            await process.WaitForExitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away (a cancelled fetch).
        }
        catch (IOException)
        {
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private string? Authenticate(HttpRequest request)
    {
        if (options.UserName is null && options.BearerToken is null)
        {
            return string.Empty;
        }

        var header = request.Headers.Authorization.ToString();
        if (options.BearerToken is { } token && header == "Bearer " + token)
        {
            return "token-user";
        }

        if (options.UserName is { } user && header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
            if (decoded == $"{user}:{options.Password}")
            {
                return user;
            }
        }

        return null;
    }

    private static async Task<List<(string Name, string Value)>> ReadCgiHeadersAsync(Stream output, CancellationToken cancellationToken)
    {
        // CGI headers end with an empty line; read byte by byte so that nothing of the body is consumed.
        var headers = new List<(string, string)>();
        var line = new List<byte>();
        var one = new byte[1];
        while (await output.ReadAsync(one, cancellationToken) == 1)
        {
            if (one[0] == '\n')
            {
                var text = Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
                line.Clear();
                if (text.Length == 0)
                {
                    break;
                }

                var colon = text.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers.Add((text[..colon].Trim(), text[(colon + 1)..].Trim()));
                }
            }
            else
            {
                line.Add(one[0]);
            }
        }

        return headers;
    }
}

/// <summary>Settings of <see cref="GitHttpServer"/>.</summary>
public sealed class GitHttpServerOptions
{
    /// <summary>Gets or sets the folder whose repositories are published (<c>GIT_PROJECT_ROOT</c>).</summary>
    public required string Root { get; set; }

    /// <summary>Gets or sets the user name required by basic authentication; <see langword="null"/> for none.</summary>
    public string? UserName { get; set; }

    /// <summary>Gets or sets the password required by basic authentication.</summary>
    public string? Password { get; set; }

    /// <summary>Gets or sets a bearer token that is accepted; <see langword="null"/> for none.</summary>
    public string? BearerToken { get; set; }

    /// <summary>Gets or sets a certificate to serve HTTPS with; <see langword="null"/> for plain HTTP.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Gets or sets a limit on response bytes per second (0 for none), to make transfers slow enough to cancel.</summary>
    public int ThrottleBytesPerSecond { get; set; }
}
