using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace GitOps.Sdk.TestUtilities.Oci;

/// <summary>
/// A real CNCF distribution registry (Debian's <c>docker-registry</c>, 2.8) on 127.0.0.1 with a temporary storage
/// folder, optionally behind htpasswd basic authentication. Always stop it (<see cref="DisposeAsync"/>).
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _folder;
    private readonly List<string> _output = [];

    private RegistryServer(Process process, TempDirectory folder, int port, string? username, string? password)
    {
        _process = process;
        _folder = folder;
        Port = port;
        Username = username;
        Password = password;
    }

    /// <summary>Gets the port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Gets <c>127.0.0.1:port</c>, the registry's name in references.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Gets the user name required, or <see langword="null"/> for an anonymous registry.</summary>
    public string? Username { get; }

    /// <summary>Gets the password required, or <see langword="null"/>.</summary>
    public string? Password { get; }

    /// <summary>Gets the registry's storage root.</summary>
    public string StorageDirectory => _folder.Combine("storage");

    /// <summary>Gets what the registry printed (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts a registry; with <paramref name="username"/> it requires htpasswd basic auth.</summary>
    /// <param name="username">The only user, or <see langword="null"/> for anonymous access.</param>
    /// <param name="password">The user's password.</param>
    /// <returns>The running registry.</returns>
    public static Task<RegistryServer> StartAsync(string? username = null, string? password = null) => StartCoreAsync(username, password, null, null);

    /// <summary>Starts a registry that sends clients to <paramref name="tokenServer"/> (bearer challenge flow, JWTs checked against its certificate).</summary>
    /// <param name="tokenServer">The token server.</param>
    /// <returns>The running registry.</returns>
    public static Task<RegistryServer> StartWithTokenAuthAsync(TokenAuthServer tokenServer)
    {
        ArgumentNullException.ThrowIfNull(tokenServer);
        return StartCoreAsync(tokenServer.Username, tokenServer.Password, tokenServer, null);
    }

    /// <summary>Starts an anonymous registry serving HTTPS with <paramref name="certificates"/>' server certificate (issued by a private authority).</summary>
    /// <param name="certificates">The authority and server certificate.</param>
    /// <returns>The running registry.</returns>
    public static Task<RegistryServer> StartWithTlsAsync(Git.TestCertificates certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return StartCoreAsync(null, null, null, certificates);
    }

    private static async Task<RegistryServer> StartCoreAsync(string? username, string? password, TokenAuthServer? tokenServer, Git.TestCertificates? tls)
    {
        var binary = TestPaths.FindTool("docker-registry") ?? (File.Exists("/usr/bin/docker-registry") ? "/usr/bin/docker-registry" : null)
            ?? throw new InvalidOperationException("'docker-registry' is not installed. Run eng/install-test-deps.sh (apt package docker-registry).");
        var folder = new TempDirectory("registry");
        var port = FreePort.Next();
        var auth = string.Empty;
        if (tokenServer is not null)
        {
            folder.WriteFile("token-ca.pem", tokenServer.CertificatePem);
            auth = $"""
                auth:
                  token:
                    realm: {tokenServer.Realm}
                    service: {tokenServer.Service}
                    issuer: {tokenServer.Issuer}
                    rootcertbundle: {folder.Combine("token-ca.pem")}
                """;
        }
        else if (username is not null)
        {
            var htpasswd = TestPaths.RequireTool("htpasswd");
            var entry = await ProcessRunner.RunCheckedAsync(htpasswd, ["-Bbn", username, password ?? string.Empty]);
            folder.WriteFile("htpasswd", entry.Trim() + "\n");
            auth = $"""
                auth:
                  htpasswd:
                    realm: gitops-test
                    path: {folder.Combine("htpasswd")}
                """;
        }

        var tlsConfig = string.Empty;
        if (tls is not null)
        {
            folder.WriteFile("tls.crt", tls.Server.ExportCertificatePem());
            folder.WriteFile("tls.key", (tls.Server.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the server certificate has no ECDSA key")).ExportPkcs8PrivateKeyPem());
            tlsConfig = $"""
                  tls:
                    certificate: {folder.Combine("tls.crt")}
                    key: {folder.Combine("tls.key")}
                """;
        }

        var config = folder.WriteFile("config.yml", $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {folder.Combine("storage")}
              delete:
                enabled: true
              cache:
                blobdescriptor: inmemory
            http:
              addr: 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
            {tlsConfig}
            {auth}
            """);

        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder.Path,
        };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start docker-registry");
        var server = new RegistryServer(process, folder, port, username, password);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(20));
        }
        catch
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("docker-registry did not start: " + server.Output);
        }

        return server;
    }

    /// <summary>Returns the storage path of a blob's data file (to corrupt it in tests).</summary>
    /// <param name="digest">The blob digest, <c>sha256:…</c>.</param>
    /// <returns>The file path.</returns>
    public string BlobDataPath(string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(StorageDirectory, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    /// <summary>Stops the registry (idempotent).</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async Task StopAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _folder.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Count < 200)
            {
                _output.Add(line);
            }
        }
    }
}
