using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using LibGit2Sharp;

namespace GitOps.Sdk.Git;

/// <summary>
/// The on-disk cache: one bare repository per normalized URL (named by a hash, so no credential or URL text ever
/// reaches a path), exported trees shared by content digest, and an index from (commit, path, patterns) to export.
/// All work on one repository is serialised by an in-process gate and an OS file lock.
/// </summary>
internal sealed class GitRepositoryCache
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private readonly string root;
    private readonly TimeProvider timeProvider;

    public GitRepositoryCache(string root, TimeProvider timeProvider)
    {
        this.root = Path.GetFullPath(root);
        this.timeProvider = timeProvider;
    }

    public string RepositoryPath(GitUrl url) => Path.Combine(root, "repos", url.CacheKey);

    /// <summary>Runs <paramref name="work"/> on a thread-pool thread while holding the repository's locks.</summary>
    /// <remarks>
    /// When <paramref name="cancellationToken"/> fires, the caller stops waiting at once; the work sees the token at its
    /// next progress callback and the locks are released only when it has really finished, so the cache stays consistent.
    /// </remarks>
    public async Task<T> RunLockedAsync<T>(GitUrl url, Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        var lockPath = RepositoryPath(url) + ".lock";
        var gate = Gates.GetOrAdd(lockPath, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        FileStream fileLock;
        try
        {
            fileLock = await AcquireFileLockAsync(lockPath, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            gate.Release();
            throw;
        }

        var task = Task.Run(() => work(cancellationToken), CancellationToken.None);
        _ = task.ContinueWith(
            t =>
            {
                fileLock.Dispose();
                gate.Release();
                _ = t.Exception;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the bare repository of <paramref name="url"/>, creating an empty one the first time.</summary>
    public Repository Open(GitUrl url)
    {
        var path = RepositoryPath(url);
        if (!Repository.IsValid(path))
        {
            Directory.CreateDirectory(path);
            Repository.Init(path, isBare: true);
        }

        return new Repository(path);
    }

    /// <summary>Returns the export recorded for a commit, path and pattern set, when its folder still exists.</summary>
    public (string Directory, string Digest)? FindExport(GitUrl url, string commit, string path, ExportSettings settings)
    {
        var index = IndexPath(url, commit, path, settings);
        if (!File.Exists(index))
        {
            return null;
        }

        var parts = File.ReadAllText(index).Split('\n');
        if (parts.Length < 2)
        {
            return null;
        }

        var tree = Path.Combine(root, "exports", parts[0], "tree");
        if (!Directory.Exists(tree))
        {
            return null;
        }

        File.SetLastWriteTimeUtc(index, timeProvider.GetUtcNow().UtcDateTime);
        return (tree, parts[1]);
    }

    /// <summary>Writes the selection unless a folder with the same digest and path exists, and records it for the commit.</summary>
    public string Store(GitUrl url, string commit, string path, ExportSettings settings, TreeExporter.Selection selection)
    {
        var exportKey = Hash(selection.Digest + "\n" + path);
        var exportDir = Path.Combine(root, "exports", exportKey);
        var tree = Path.Combine(exportDir, "tree");
        if (!Directory.Exists(tree))
        {
            var staging = Path.Combine(root, "exports", $".staging-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);
            try
            {
                TreeExporter.Write(selection, Path.Combine(staging, "tree"), path);
                File.WriteAllText(Path.Combine(staging, "digest"), selection.Digest);
                try
                {
                    Directory.Move(staging, exportDir);
                }
                catch (IOException) when (Directory.Exists(tree))
                {
                    // Another repository produced the same content at the same moment: use theirs.
                }
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    DeleteTree(staging);
                }
            }
        }

        var index = IndexPath(url, commit, path, settings);
        Directory.CreateDirectory(Path.GetDirectoryName(index)!);
        var temp = index + "." + Guid.NewGuid().ToString("N");
        File.WriteAllText(temp, exportKey + "\n" + selection.Digest);
        File.Move(temp, index, overwrite: true);
        return tree;
    }

    /// <summary>Deletes exports of <paramref name="url"/> beyond the <paramref name="keep"/> most recently used that no other record refers to.</summary>
    public void Prune(GitUrl url, int keep)
    {
        var indexDir = Path.Combine(root, "index", url.CacheKey);
        if (!Directory.Exists(indexDir))
        {
            return;
        }

        var entries = new DirectoryInfo(indexDir).GetFiles().Where(f => !f.Name.Contains('.', StringComparison.Ordinal))
            .OrderByDescending(f => f.LastWriteTimeUtc).ToList();
        if (entries.Count <= keep)
        {
            return;
        }

        var stale = entries.Skip(keep).ToList();
        foreach (var file in stale)
        {
            file.Delete();
        }

        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "index"), "*", SearchOption.AllDirectories))
        {
            referenced.Add(File.ReadAllText(file).Split('\n')[0]);
        }

        foreach (var dir in Directory.EnumerateDirectories(Path.Combine(root, "exports")))
        {
            var name = Path.GetFileName(dir);
            if (!name.StartsWith('.') && !referenced.Contains(name))
            {
                DeleteTree(dir);
            }
        }
    }

    /// <summary>
    /// Writes the ssh wrapper of one repository (private key, known_hosts, and a script that runs the ssh client with
    /// them and keeps its error output) into a folder only the current user can read; returns the script and error file.
    /// </summary>
    /// <remarks>libgit2 runs <c>core.sshCommand</c> as one program without a shell, hence a script rather than options.</remarks>
    public (string Script, string ErrorFile) WriteSshWrapper(GitUrl url, SourceCredentials? credentials, string sshExecutable)
    {
        var dir = Path.Combine(root, "ssh", url.CacheKey);
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var errors = Path.Combine(dir, "stderr");
        var command = new StringBuilder("exec ").Append(ShellQuote(sshExecutable))
            .Append(" -F /dev/null -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o ConnectTimeout=15");
        var environment = new StringBuilder();
        if (credentials?.SshPrivateKey is { } pem)
        {
            var key = Path.Combine(dir, "id");
            WritePrivate(key, pem.EndsWith('\n') ? pem : pem + "\n");
            command.Append(" -o IdentitiesOnly=yes -i ").Append(ShellQuote(key));
            if (credentials.SshPassphrase is { } passphrase)
            {
                // ssh reads the passphrase from SSH_ASKPASS; the helper prints a file only this user can read.
                var secret = Path.Combine(dir, "passphrase");
                WritePrivate(secret, passphrase);
                var askpass = Path.Combine(dir, "askpass.sh");
                WritePrivate(askpass, $"#!/bin/sh\ncat {ShellQuote(secret)}\n", executable: true);
                environment.Append("SSH_ASKPASS=").Append(ShellQuote(askpass)).Append(" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 ");
            }
            else
            {
                command.Append(" -o BatchMode=yes");
            }
        }
        else
        {
            command.Append(" -o BatchMode=yes");
        }

        if (credentials?.InsecureSkipHostKeyCheck == true)
        {
            command.Append(" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null");
        }
        else
        {
            command.Append(" -o StrictHostKeyChecking=yes");
            if (credentials?.SshKnownHosts is { } hosts)
            {
                var knownHosts = Path.Combine(dir, "known_hosts");
                WritePrivate(knownHosts, hosts.EndsWith('\n') ? hosts : hosts + "\n");
                command.Append(" -o UserKnownHostsFile=").Append(ShellQuote(knownHosts));
            }
        }

        command.Append(" \"$@\" 2>").Append(ShellQuote(errors));
        var script = Path.Combine(dir, "ssh.sh");
        WritePrivate(script, $"#!/bin/sh\n{(environment.Length > 0 ? "export " + environment.ToString().Trim() + "\n" : string.Empty)}{command}\n", executable: true);
        File.WriteAllText(errors, string.Empty);
        return (script, errors);
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    internal static void DeleteTree(string directory)
    {
        try
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            {
                if (entry.LinkTarget is null)
                {
                    entry.Attributes = entry is DirectoryInfo ? FileAttributes.Directory : FileAttributes.Normal;
                    if (!OperatingSystem.IsWindows())
                    {
                        entry.UnixFileMode |= UnixFileMode.UserWrite | UnixFileMode.UserRead | (entry is DirectoryInfo ? UnixFileMode.UserExecute : 0);
                    }
                }
            }

            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: an export still open elsewhere is removed on a later prune.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void WritePrivate(string path, string content, bool executable = false)
    {
        if (File.Exists(path) && File.ReadAllText(path) == content)
        {
            return;
        }

        var temp = path + ".tmp";
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | (executable ? UnixFileMode.UserExecute : 0);
        }

        using (var stream = new FileStream(temp, streamOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    private string IndexPath(GitUrl url, string commit, string path, ExportSettings settings) =>
        Path.Combine(root, "index", url.CacheKey, commit + "-" + Hash(path + "\n" + settings.Fingerprint())[..16]);

    private async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Another process works on this repository; wait for it.
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
