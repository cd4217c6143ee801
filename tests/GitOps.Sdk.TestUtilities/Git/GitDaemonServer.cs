using System.Diagnostics;

namespace GitOps.Sdk.TestUtilities.Git;

/// <summary>A real <c>git daemon</c> on 127.0.0.1 serving every repository under <see cref="Root"/> over <c>git://</c>; killed on dispose.</summary>
public sealed class GitDaemonServer : IAsyncDisposable
{
    private readonly Process process;

    private GitDaemonServer(Process process, string root, int port)
    {
        this.process = process;
        Root = root;
        Port = port;
    }

    /// <summary>Gets the folder served (the daemon's base path).</summary>
    public string Root { get; }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Starts a daemon on a free port.</summary>
    /// <param name="root">The folder to serve.</param>
    /// <returns>The running server.</returns>
    public static async Task<GitDaemonServer> StartAsync(string root)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var psi = new ProcessStartInfo("git")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "daemon", "--reuseaddr", $"--base-path={root}", "--export-all", "--informative-errors", "--listen=127.0.0.1", $"--port={port}", root })
            {
                psi.ArgumentList.Add(a);
            }

            var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start git daemon");
            process.ErrorDataReceived += (_, _) => { };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            try
            {
                await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(10));
                if (process.HasExited)
                {
                    throw new InvalidOperationException("git daemon exited");
                }

                return new GitDaemonServer(process, root, port);
            }
            catch (Exception) when (attempt < 3)
            {
                Kill(process);
            }
        }
    }

    /// <summary>Returns the <c>git://</c> URL of a repository.</summary>
    /// <param name="name">The repository name (without <c>.git</c>).</param>
    /// <returns>The URL.</returns>
    public string UrlOf(string name) => $"git://127.0.0.1:{Port}/{name}.git";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill(process);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static void Kill(Process process)
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
    }
}
