using System.Diagnostics;

namespace GitOps.Sdk.TestUtilities.Git;

/// <summary>
/// A real OpenSSH server (<c>/usr/sbin/sshd</c>, Debian's openssh-server) on 127.0.0.1 with a generated host key and
/// one authorized client key, so Git over <c>ssh://</c> runs against the real thing; killed on dispose.
/// </summary>
public sealed class SshGitServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly TempDirectory directory;

    private SshGitServer(Process process, TempDirectory directory, int port, string clientKey, string hostPublicKey)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
        ClientPrivateKey = clientKey;
        KnownHosts = $"[127.0.0.1]:{port} {hostPublicKey}";
    }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Gets the user that logs in (the current user).</summary>
    public static string User => Environment.UserName;

    /// <summary>Gets the authorized client's private key (OpenSSH PEM).</summary>
    public string ClientPrivateKey { get; }

    /// <summary>Gets a known_hosts line for this server.</summary>
    public string KnownHosts { get; }

    /// <summary>Starts sshd on a free port.</summary>
    /// <param name="clientKeyPassphrase">A passphrase for the generated client key, or <see langword="null"/>.</param>
    /// <returns>The running server.</returns>
    public static async Task<SshGitServer> StartAsync(string? clientKeyPassphrase = null)
    {
        var sshd = File.Exists("/usr/sbin/sshd") ? "/usr/sbin/sshd" : throw new InvalidOperationException(
            "/usr/sbin/sshd is not installed. Run eng/install-test-deps.sh (it installs Debian's openssh-server).");
        if (!Directory.Exists("/run/sshd") && Environment.UserName == "root")
        {
            // sshd insists on its privilege separation folder when started as root.
            Directory.CreateDirectory("/run/sshd");
        }

        var dir = new TempDirectory("gitops-sshd");
        await ProcessRunner.RunCheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir.Combine("host_key")]);
        await ProcessRunner.RunCheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", clientKeyPassphrase ?? string.Empty, "-f", dir.Combine("client_key")]);
        File.Copy(dir.Combine("client_key.pub"), dir.Combine("authorized_keys"));
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var config = dir.WriteFile("sshd_config", $"""
                Port {port}
                ListenAddress 127.0.0.1
                HostKey {dir.Combine("host_key")}
                PidFile {dir.Combine("sshd.pid")}
                AuthorizedKeysFile {dir.Combine("authorized_keys")}
                StrictModes no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PubkeyAuthentication yes
                UsePAM no
                PermitRootLogin prohibit-password
                AllowUsers {User}
                """);
            var psi = new ProcessStartInfo(sshd) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { "-D", "-e", "-f", config })
            {
                psi.ArgumentList.Add(a);
            }

            var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start sshd");
            process.ErrorDataReceived += (_, _) => { };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            try
            {
                await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(10));
                var hostKey = string.Join(' ', File.ReadAllText(dir.Combine("host_key.pub")).Split(' ').Take(2)).Trim();
                return new SshGitServer(process, dir, port, File.ReadAllText(dir.Combine("client_key")), hostKey);
            }
            catch (Exception) when (attempt < 3)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Returns the <c>ssh://</c> URL of a repository folder on this machine.</summary>
    /// <param name="repositoryPath">The absolute path of the (bare) repository.</param>
    /// <returns>The URL.</returns>
    public string UrlOf(string repositoryPath) => $"ssh://{User}@127.0.0.1:{Port}{repositoryPath}";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        await process.WaitForExitAsync();
        process.Dispose();
        directory.Dispose();
    }
}
