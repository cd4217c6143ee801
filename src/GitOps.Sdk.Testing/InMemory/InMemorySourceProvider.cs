using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace GitOps.Sdk.Testing.InMemory;

/// <summary>
/// A source provider for tests: "repositories" are sets of files committed from code, laid out on disk when fetched.
/// Handles URLs that were committed to (any scheme, e.g. <c>memory://shop</c>). Revisions read <c>main@sha1:…</c>;
/// the digest covers only the files under the reference's path, so a commit elsewhere is recognisably a no-op.
/// </summary>
/// <example>
/// <code>
/// using var source = new InMemorySourceProvider();
/// source.Commit("memory://shop", new Dictionary&lt;string, string&gt; { ["app/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\n…" });
/// services.AddGitOps(…).AddSourceProvider(source);
/// </code>
/// </example>
public sealed class InMemorySourceProvider : ISourceProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Repository> _repositories = new(StringComparer.Ordinal);
    private readonly string _root;
    private readonly bool _ownsRoot;
    private int _resolveCount;
    private int _fetchCount;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="rootDirectory">Where fetched content is written; a new temporary folder (deleted on dispose) when <see langword="null"/>.</param>
    public InMemorySourceProvider(string? rootDirectory = null)
    {
        _ownsRoot = rootDirectory is null;
        _root = rootDirectory ?? Path.Combine(Path.GetTempPath(), "gitops-memory-source-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    /// <summary>Gets how many times <see cref="ResolveAsync"/> ran.</summary>
    public int ResolveCount => Volatile.Read(ref _resolveCount);

    /// <summary>Gets how many times <see cref="FetchAsync"/> ran.</summary>
    public int FetchCount => Volatile.Read(ref _fetchCount);

    /// <summary>Records a new revision of <paramref name="url"/> on <paramref name="reference"/> with exactly <paramref name="files"/>.</summary>
    /// <param name="url">The repository URL.</param>
    /// <param name="files">Relative path → content.</param>
    /// <param name="reference">The branch. <value>Default: <c>main</c>.</value></param>
    /// <returns>The new revision, e.g. <c>main@sha1:…</c>.</returns>
    public string Commit(string url, IReadOnlyDictionary<string, string> files, string reference = "main")
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(files);
        var repo = _repositories.GetOrAdd(url, static _ => new Repository());
        lock (repo)
        {
            repo.Sequence++;
            var text = new StringBuilder().Append(url).Append('\n').Append(repo.Sequence).Append('\n');
            foreach (var (path, content) in files.OrderBy(static f => f.Key, StringComparer.Ordinal))
            {
                text.Append(path).Append('\0').Append(content).Append('\0');
            }

            var id = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text.ToString())));
            repo.Branches[reference] = new Snapshot(id, new Dictionary<string, string>(files, StringComparer.Ordinal));
            repo.Failure = null;
            return $"{reference}@sha1:{id}";
        }
    }

    /// <summary>Makes every resolve and fetch of <paramref name="url"/> fail until the next <see cref="Commit"/> or <see cref="ClearFailure"/>.</summary>
    /// <param name="url">The repository URL.</param>
    /// <param name="kind">The kind of failure.</param>
    /// <param name="message">The message.</param>
    public void Fail(string url, SourceErrorKind kind, string message)
    {
        var repo = _repositories.GetOrAdd(url, static _ => new Repository());
        lock (repo)
        {
            repo.Failure = (kind, message);
        }
    }

    /// <summary>Ends a failure started by <see cref="Fail"/>.</summary>
    /// <param name="url">The repository URL.</param>
    public void ClearFailure(string url)
    {
        if (_repositories.TryGetValue(url, out var repo))
        {
            lock (repo)
            {
                repo.Failure = null;
            }
        }
    }

    /// <inheritdoc />
    public bool CanHandle(SourceReference source) => source is not null && _repositories.ContainsKey(source.Url);

    /// <inheritdoc />
    public ValueTask<SourceRevision> ResolveAsync(SourceReference source, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _resolveCount);
        var (reference, snapshot) = Find(source);
        return ValueTask.FromResult(new SourceRevision($"{reference}@sha1:{snapshot.Id}", snapshot.Id));
    }

    /// <inheritdoc />
    public async ValueTask<SourceArtifact> FetchAsync(SourceReference source, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetchCount);
        var (reference, snapshot) = Find(source);
        var directory = Path.Combine(_root, snapshot.Id);
        if (!Directory.Exists(directory))
        {
            var staging = directory + ".tmp-" + Guid.NewGuid().ToString("N");
            foreach (var (path, content) in snapshot.Files)
            {
                var full = Path.GetFullPath(Path.Combine(staging, path));
                if (!full.StartsWith(staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new SourceException($"{source}: file '{path}' escapes the repository") { Kind = SourceErrorKind.Integrity };
                }

                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, content, cancellationToken).ConfigureAwait(false);
            }

            Directory.CreateDirectory(staging);
            try
            {
                Directory.Move(staging, directory);
            }
            catch (IOException) when (Directory.Exists(directory))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        var prefix = string.IsNullOrEmpty(source.Path) ? string.Empty : source.Path.Trim('/') + "/";
        if (prefix.Length > 0 && !snapshot.Files.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            throw new SourceException($"{source}: path '{source.Path}' does not exist at {reference}@sha1:{snapshot.Id}") { Kind = SourceErrorKind.PathNotFound };
        }

        var digestText = new StringBuilder();
        foreach (var (path, content) in snapshot.Files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(static f => f.Key, StringComparer.Ordinal))
        {
            digestText.Append(path[prefix.Length..]).Append('\0').Append(content).Append('\0');
        }

        return new SourceArtifact
        {
            Source = source,
            Revision = $"{reference}@sha1:{snapshot.Id}",
            Digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(digestText.ToString()))),
            RootDirectory = directory,
            Path = source.Path?.Trim('/') ?? string.Empty,
            FetchedAt = DateTimeOffset.UnixEpoch,
            ArtifactKind = ArtifactKinds.Manifests,
        };
    }

    /// <summary>Deletes the fetched content (when the folder was created by this instance).</summary>
    public void Dispose()
    {
        if (_ownsRoot && Directory.Exists(_root))
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A test still holding a file open must not fail at clean-up.
            }
        }
    }

    private (string Reference, Snapshot Snapshot) Find(SourceReference source)
    {
        if (!_repositories.TryGetValue(source.Url, out var repo))
        {
            throw new SourceException($"{source}: no such repository") { Kind = SourceErrorKind.Unreachable };
        }

        lock (repo)
        {
            if (repo.Failure is { } failure)
            {
                throw new SourceException($"{source}: {failure.Message}") { Kind = failure.Kind };
            }

            var reference = source.Ref ?? "main";
            return repo.Branches.TryGetValue(reference, out var snapshot)
                ? (reference, snapshot)
                : throw new SourceException($"{source}: ref '{reference}' does not exist") { Kind = SourceErrorKind.RefNotFound };
        }
    }

    private sealed class Repository
    {
        public int Sequence { get; set; }

        public Dictionary<string, Snapshot> Branches { get; } = new(StringComparer.Ordinal);

        public (SourceErrorKind Kind, string Message)? Failure { get; set; }
    }

    private sealed record Snapshot(string Id, Dictionary<string, string> Files);
}
