using System.Diagnostics.Metrics;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Git;

/// <summary>
/// Fetches desired state from Git repositories over <c>https://</c>, <c>http://</c>, <c>ssh://</c> (and scp-like
/// <c>user@host:path</c>), <c>git://</c>, <c>file://</c> and local paths. Refs may be a branch, a tag, a semver range
/// over tags or a commit SHA. <see cref="ResolveAsync"/> only asks the remote for its refs; <see cref="FetchAsync"/>
/// fetches into a cached bare clone and exports the selected path of the commit into a read-only folder that is
/// shared by every fetch with the same content.
/// </summary>
/// <example>
/// <code>
/// services.AddGitOps().AddGitSource(o =&gt; o.CacheDirectory = "/var/cache/gitops/git");
///
/// var source = new SourceReference { Url = "https://git.example.com/shop/deploy.git", Ref = "&gt;=1.2.0 &lt;2.0.0", Path = "apps/web" };
/// var artifact = await provider.FetchAsync(source, cancellationToken);
/// // artifact.Revision == "v1.4.2@sha1:…", artifact.ContentDirectory holds apps/web only
/// </code>
/// </example>
public sealed class GitSourceProvider : ISourceProvider, IDisposable
{
    private readonly Counter<long> fetches;
    private readonly GitSourceOptions options;
    private readonly IEnumerable<ICredentialProvider> credentialProviders;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly GitRepositoryCache cache;
    private readonly SmartHttpRefLister httpRefs = new();

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="credentialProviders">Sources of credentials by <see cref="SourceReference.CredentialsName"/>, consulted after <see cref="GitSourceOptions.Credentials"/>.</param>
    /// <param name="timeProvider">The clock (fetch times and timeouts). <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    /// <param name="logger">The logger.</param>
    /// <param name="telemetry">The meter <c>gitops.source.git.fetches</c> is on. <value>Default: <see cref="GitOpsTelemetry.Shared"/>.</value></param>
    public GitSourceProvider(
        IOptions<GitSourceOptions> options,
        IEnumerable<ICredentialProvider>? credentialProviders = null,
        TimeProvider? timeProvider = null,
        ILogger<GitSourceProvider>? logger = null,
        GitOpsTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.credentialProviders = credentialProviders ?? [];
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        cache = new GitRepositoryCache(this.options.CacheDirectory, this.timeProvider);
        fetches = (telemetry ?? GitOpsTelemetry.Shared).Meter.CreateCounter<long>(
            "gitops.source.git.fetches", unit: "{fetch}", description: "Git source fetches, by whether objects were downloaded (transfer=network) or the cache already held the commit (transfer=none).");
    }

    /// <inheritdoc />
    /// <remarks>
    /// Answers <see langword="true"/> for <see cref="SourceReference.Type"/> <c>git</c>, and (without a type) for
    /// <c>git://</c>, <c>ssh://</c>, <c>file://</c>, HTTP(S) URLs ending in <c>.git</c>, scp-like <c>user@host:path</c>
    /// and local folders holding a repository.
    /// </remarks>
    public bool CanHandle(SourceReference source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Type is not null
            ? string.Equals(source.Type, SourceTypes.Git, StringComparison.OrdinalIgnoreCase)
            : GitUrl.LooksLikeGit(source.Url);
    }

    /// <inheritdoc />
    /// <remarks>A commit SHA resolves without contacting the remote; anything else costs one ref advertisement (no objects).</remarks>
    public async ValueTask<SourceRevision> ResolveAsync(SourceReference source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var url = GitUrl.Parse(source.Url);
        var kind = RefResolver.Classify(source, url.Display);
        if (kind == GitRefKind.Commit)
        {
            var commit = RefResolver.ForCommit(source.Ref!.Trim());
            return new SourceRevision(commit.Revision, commit.Commit);
        }

        var auth = new GitAuth(url, await GetCredentialsAsync(source, url, cancellationToken).ConfigureAwait(false));
        var resolved = await ResolveRefAsync(source, url, auth, kind, cancellationToken).ConfigureAwait(false);
        return new SourceRevision(resolved.Revision, resolved.Commit);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Nothing is downloaded when the cache already holds the commit the ref points to; nothing is written when an
    /// export with the same content exists. The returned folder is read-only and shared: do not modify it.
    /// </remarks>
    public async ValueTask<SourceArtifact> FetchAsync(SourceReference source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var url = GitUrl.Parse(source.Url);
        var kind = RefResolver.Classify(source, url.Display);
        var path = NormalizePath(source.Path, url.Display);
        var auth = new GitAuth(url, await GetCredentialsAsync(source, url, cancellationToken).ConfigureAwait(false));
        var resolved = kind == GitRefKind.Commit
            ? RefResolver.ForCommit(source.Ref!.Trim())
            : await ResolveRefAsync(source, url, auth, kind, cancellationToken).ConfigureAwait(false);
        var settings = new ExportSettings([.. options.Ignore], [.. options.Include], options.UseSourceIgnoreFiles);
        var policy = RevisionVerifier.Select(options, source, url);

        using var timeout = new CancellationTokenSource(options.FetchTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        FetchResult result;
        try
        {
            result = await cache.RunLockedAsync(url, token => FetchLocked(url, auth, resolved, path, settings, policy, token), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"git source {url.Display}: fetching {resolved.Revision} took longer than {options.FetchTimeout}.", e) { Kind = SourceErrorKind.Timeout };
        }

        fetches.Add(1, new KeyValuePair<string, object?>("gitops.source.url", url.Display), new KeyValuePair<string, object?>("transfer", result.Downloaded ? "network" : "none"));
        Log.Fetched(logger, url.Display, result.Resolved.Revision, path, result.Digest, result.Downloaded);
        var content = path.Length == 0 ? result.Directory : Path.Combine(result.Directory, path);
        return new SourceArtifact
        {
            Source = source,
            Revision = result.Resolved.Revision,
            Digest = result.Digest,
            RootDirectory = result.Directory,
            Path = path,
            FetchedAt = timeProvider.GetUtcNow(),
            ArtifactKind = File.Exists(Path.Combine(content, "Chart.yaml")) ? ArtifactKinds.HelmChart : ArtifactKinds.Manifests,
            Metadata = result.Metadata,
        };
    }

    /// <inheritdoc />
    public void Dispose() => httpRefs.Dispose();

    private static string NormalizePath(string? path, string display)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return string.Empty;
        }

        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Any(s => s is ".." or ".git"))
        {
            throw new SourceException($"git source {display}: the path '{path}' must stay inside the repository and outside .git.") { Kind = SourceErrorKind.PathNotFound };
        }

        return string.Join('/', segments);
    }

    private async ValueTask<SourceCredentials?> GetCredentialsAsync(SourceReference source, GitUrl url, CancellationToken cancellationToken)
    {
        if (source.CredentialsName is { } name && options.Credentials.TryGetValue(name, out var configured))
        {
            return configured;
        }

        foreach (var provider in credentialProviders)
        {
            if (await provider.GetCredentialsAsync(source, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }
        }

        if (source.CredentialsName is not null)
        {
            throw new SourceException($"git source {url.Display}: no credentials named '{source.CredentialsName}' are registered.") { Kind = SourceErrorKind.Unauthorized };
        }

        return null;
    }

    private async Task<ResolvedRef> ResolveRefAsync(SourceReference source, GitUrl url, GitAuth auth, GitRefKind kind, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.ResolveTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var refs = await ListRefsAsync(url, auth, linked.Token).ConfigureAwait(false);
            var resolved = RefResolver.Resolve(kind, source, refs, url.Display);
            Log.Resolved(logger, url.Display, source.Ref ?? "HEAD", resolved.Revision);
            return resolved;
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"git source {url.Display}: listing refs took longer than {options.ResolveTimeout}.", e) { Kind = SourceErrorKind.Timeout };
        }
    }

    private async Task<RemoteRefs> ListRefsAsync(GitUrl url, GitAuth auth, CancellationToken cancellationToken)
    {
        if (url.Transport == GitTransport.Http && await httpRefs.ListAsync(auth, cancellationToken).ConfigureAwait(false) is { } advertised)
        {
            return advertised;
        }

        if (url.Transport == GitTransport.Ssh)
        {
            // The ssh client's key and known_hosts come from the cache repository's core.sshCommand, so list through it.
            return await cache.RunLockedAsync(
                url,
                _ =>
                {
                    using var repo = cache.Open(url);
                    var errors = ConfigureSsh(repo, url, auth);
                    return Collect(() => repo.Network.ListReferences(url.ConnectUrl, auth.CredentialsHandler), auth, url, errors);
                },
                cancellationToken).ConfigureAwait(false);
        }

        return await Task.Run(() => Collect(() => Repository.ListRemoteReferences(url.ConnectUrl, auth.CredentialsHandler), auth, url), CancellationToken.None)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static RemoteRefs Collect(Func<IEnumerable<Reference>> list, GitAuth auth, GitUrl url, string? errorFile = null)
    {
        var refs = new RemoteRefs();
        try
        {
            foreach (var reference in list())
            {
                if (reference is SymbolicReference symbolic)
                {
                    if (symbolic.CanonicalName == "HEAD")
                    {
                        refs.HeadTarget = symbolic.TargetIdentifier;
                    }
                }
                else
                {
                    refs.Add(reference.CanonicalName, reference.TargetIdentifier);
                }
            }
        }
        catch (LibGit2SharpException e)
        {
            throw GitErrors.Map(e, auth, "listing refs", ReadErrors(errorFile));
        }

        return refs;
    }

    private FetchResult FetchLocked(GitUrl url, GitAuth auth, ResolvedRef resolved, string path, ExportSettings settings, VerificationPolicy? policy, CancellationToken cancellationToken)
    {
        using var repo = cache.Open(url);
        var commit = repo.Lookup<Commit>(resolved.Commit);
        var downloaded = false;
        if (commit is null || RevisionVerifier.NeedsTagFetch(repo, policy, resolved))
        {
            Download(repo, url, auth, resolved, cancellationToken);
            downloaded = true;
            commit = repo.Lookup<Commit>(resolved.Commit);
            if (commit is null && resolved.RefName is not null)
            {
                // The ref moved between listing and fetching: take what was fetched.
                var local = resolved.RefName == "HEAD" ? "refs/gitops/HEAD" : resolved.RefName;
                if (repo.Refs[local]?.ResolveToDirectReference()?.Target?.Peel<Commit>() is { } moved)
                {
                    commit = moved;
                    resolved = resolved with { Commit = moved.Sha };
                }
            }

            if (commit is null)
            {
                throw new SourceException($"git source {url.Display}: {resolved.Revision} is not reachable from any branch or tag of the remote.")
                {
                    Kind = SourceErrorKind.RefNotFound,
                };
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["git.commit"] = commit.Sha,
            ["git.author"] = commit.Author.Name,
            ["git.committedAt"] = commit.Committer.When.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["git.subject"] = commit.MessageShort,
        };
        if (resolved.RefName is not null)
        {
            metadata["git.ref"] = resolved.RefName;
        }

        if (policy is not null)
        {
            // Before the export: a refused revision never reaches the renderers.
            var signer = RevisionVerifier.Verify(repo, commit, resolved, policy, url.Display, timeProvider.GetUtcNow());
            metadata["git.verifiedBy"] = signer;
            metadata["git.verification"] = $"{policy.Name} ({policy.Mode})";
            Log.Verified(logger, url.Display, resolved.Revision, policy.Name, signer);
        }

        if (cache.FindExport(url, commit.Sha, path, settings) is { } existing)
        {
            return new FetchResult(resolved, existing.Directory, existing.Digest, downloaded, metadata);
        }

        var selection = TreeExporter.Select(commit, path, settings, url.Display, resolved.Revision);
        var directory = cache.Store(url, commit.Sha, path, settings, selection);
        cache.Prune(url, options.ExportsToKeep);
        return new FetchResult(resolved, directory, selection.Digest, downloaded, metadata);
    }

    private void Download(Repository repo, GitUrl url, GitAuth auth, ResolvedRef resolved, CancellationToken cancellationToken)
    {
        var progress = options.Progress;
        var fetchOptions = new FetchOptions
        {
            CredentialsProvider = auth.CredentialsHandler,
            TagFetchMode = TagFetchMode.None,
            Prune = false,
            OnTransferProgress = p =>
            {
                progress?.Report(new GitTransferProgress(url.Display, p.ReceivedObjects, p.TotalObjects, p.IndexedObjects, p.ReceivedBytes));
                return !cancellationToken.IsCancellationRequested;
            },
            OnProgress = _ => !cancellationToken.IsCancellationRequested,
        };
        if (auth.CustomHeaders.Length > 0)
        {
            fetchOptions.CustomHeaders = auth.CustomHeaders;
        }

        if (auth.HasTlsSettings)
        {
            fetchOptions.CertificateCheck = auth.CertificateCheck;
        }

        Log.Downloading(logger, url.Display, resolved.Revision);
        var errorFile = ConfigureSsh(repo, url, auth);
        try
        {
            // The cache repository is per URL; its remote "origin" holds the URL without credentials.
            var remote = repo.Network.Remotes["origin"];
            if (remote is null)
            {
                repo.Network.Remotes.Add("origin", url.ConnectUrl);
            }
            else if (remote.Url != url.ConnectUrl)
            {
                repo.Network.Remotes.Update("origin", r => r.Url = url.ConnectUrl);
            }

            Commands.Fetch(repo, "origin", RefResolver.RefSpecs(resolved), fetchOptions, logMessage: null);
        }
        catch (LibGit2SharpException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (LibGit2SharpException e)
        {
            throw GitErrors.Map(e, auth, $"fetching {resolved.Revision}", ReadErrors(errorFile));
        }
    }

    private string? ConfigureSsh(Repository repo, GitUrl url, GitAuth auth)
    {
        if (url.Transport != GitTransport.Ssh)
        {
            return null;
        }

        var (script, errors) = cache.WriteSshWrapper(url, auth.Credentials, options.SshExecutable);
        if (repo.Config.Get<string>("core.sshCommand")?.Value != script)
        {
            repo.Config.Set("core.sshCommand", script, ConfigurationLevel.Local);
        }

        return errors;
    }

    private static string? ReadErrors(string? errorFile)
    {
        try
        {
            return errorFile is not null && File.Exists(errorFile) ? File.ReadAllText(errorFile).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed record FetchResult(ResolvedRef Resolved, string Directory, string Digest, bool Downloaded, IReadOnlyDictionary<string, string> Metadata);
}
