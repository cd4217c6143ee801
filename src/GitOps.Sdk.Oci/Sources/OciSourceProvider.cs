using GitOps.Sdk.Shared;
using System.Text.Json;
using GitOps.Sdk.Oci.Distribution;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Oci.Sources;

/// <summary>
/// Fetches desired state from OCI registries: Helm charts pushed with <c>helm push</c> and manifest bundles pushed with
/// <c>flux push artifact</c> (or any artifact whose layer is a gzip-compressed tar).
/// </summary>
/// <remarks>
/// <para>Handles <see cref="SourceReference.Url"/> <c>oci://registry/repository</c> (or <see cref="SourceReference.Type"/>
/// <see cref="SourceTypes.Oci"/>). <see cref="SourceReference.Ref"/> is a tag (default <c>latest</c>), a semver range over
/// the repository's tags (<c>^1.2</c>, <c>&gt;=1.0.0 &lt;2.0.0</c>, <c>*</c>) or a manifest digest (<c>sha256:…</c>).</para>
/// <para>The layer is chosen by media type: Helm's chart layer (the artifact becomes <see cref="ArtifactKinds.HelmChart"/>
/// with <see cref="SourceArtifact.Path"/> pointing at the chart folder), else Flux's content layer, else the first OCI or
/// Docker <c>tar+gzip</c> layer; the property <c>layerMediaType</c> in <see cref="SourceReference.Properties"/> overrides.</para>
/// <para><see cref="ResolveAsync"/> costs one manifest <c>HEAD</c> (plus a tag listing for ranges). Content is cached
/// by manifest digest, so a fetch of an unchanged digest downloads nothing.</para>
/// <para>Revisions read <c>&lt;tag&gt;@sha256:&lt;manifest digest&gt;</c>, or the digest alone when the reference is a digest;
/// <see cref="SourceArtifact.Digest"/> is the digest of the selected layer.</para>
/// </remarks>
public sealed class OciSourceProvider : ISourceProvider
{
    private const string MarkerFile = "artifact.json";
    private const string ContentFolder = "content";

    private readonly OciDistributionClient _client;
    private readonly OciOptions _options;
    private readonly TimeProvider _time;
    private readonly ICredentialProvider? _credentials;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="client">The distribution client.</param>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    /// <param name="credentials">Supplies credentials per source; <see langword="null"/> for anonymous access.</param>
    /// <param name="logger">The logger.</param>
    public OciSourceProvider(
        OciDistributionClient client,
        IOptions<OciOptions> options,
        TimeProvider? timeProvider = null,
        ICredentialProvider? credentials = null,
        ILogger<OciSourceProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _credentials = credentials;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public bool CanHandle(SourceReference source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return string.Equals(source.Type, SourceTypes.Oci, StringComparison.OrdinalIgnoreCase)
            || (source.Type is null && source.Url.StartsWith("oci://", StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc />
    public async ValueTask<SourceRevision> ResolveAsync(SourceReference source, CancellationToken cancellationToken)
    {
        var resolved = await ResolveCoreAsync(source, cancellationToken).ConfigureAwait(false);
        return new SourceRevision(resolved.Revision, resolved.Manifest.Digest);
    }

    /// <inheritdoc />
    public async ValueTask<SourceArtifact> FetchAsync(SourceReference source, CancellationToken cancellationToken)
    {
        var resolved = await ResolveCoreAsync(source, cancellationToken).ConfigureAwait(false);
        var key = resolved.Manifest.Digest.Replace(':', '-');
        var final = Path.Combine(_options.CacheDirectory, key);
        var cached = TryReadCache(final);
        if (cached is not null)
        {
            Log.CacheHit(_logger, source.ToString(), resolved.Revision);
            return ToArtifact(source, resolved, final, cached);
        }

        var manifest = await _client.GetManifestAsync(resolved.Repository, resolved.Manifest.Digest, resolved.Credentials, cancellationToken).ConfigureAwait(false);
        if (manifest.IsIndex)
        {
            // Artifacts are single manifests; an index (multi-platform) is followed to its first entry.
            var first = manifest.Manifests.FirstOrDefault()
                ?? throw new SourceException($"{source}: the index {manifest.Descriptor.Digest} lists no manifests.") { Kind = SourceErrorKind.RefNotFound };
            manifest = await _client.GetManifestAsync(resolved.Repository, first.Digest, resolved.Credentials, cancellationToken).ConfigureAwait(false);
        }

        var (layer, isHelm) = SelectLayer(source, manifest);
        Directory.CreateDirectory(_options.CacheDirectory);
        var staging = Path.Combine(_options.CacheDirectory, $".staging-{Guid.NewGuid():N}");
        try
        {
            var content = Path.Combine(staging, ContentFolder);
            Directory.CreateDirectory(content);
            var archive = Path.Combine(staging, "layer.tar.gz");
            var file = new FileStream(archive, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            ArchiveExtractionResult extracted;
            await using (file.ConfigureAwait(false))
            {
                await _client.DownloadBlobAsync(resolved.Repository, layer, file, resolved.Credentials, cancellationToken).ConfigureAwait(false);
                file.Position = 0;
                try
                {
                    extracted = await SafeArchive.ExtractTarGzAsync(file, content, _options.ArchiveLimits, cancellationToken).ConfigureAwait(false);
                }
                catch (SourceException ex)
                {
                    throw new SourceException($"{source} at {resolved.Revision}, layer {layer.Digest}: {ex.Message}", ex) { Kind = ex.Kind };
                }
            }

            var entry = new CacheEntry
            {
                LayerDigest = layer.Digest,
                LayerMediaType = layer.MediaType,
                ConfigMediaType = manifest.Config?.MediaType,
                Kind = isHelm || File.Exists(Path.Combine(content, "Chart.yaml")) ? ArtifactKinds.HelmChart : ArtifactKinds.Manifests,
                Path = isHelm ? FindChartFolder(source, resolved.Revision, content) : string.Empty,
                Annotations = manifest.Annotations.Where(a => a.Key.StartsWith("org.opencontainers.image.", StringComparison.Ordinal)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal),
            };
            await File.WriteAllTextAsync(Path.Combine(staging, MarkerFile), JsonSerializer.Serialize(entry), cancellationToken).ConfigureAwait(false);

            ContentCacheFolders.Publish(staging, final);

            Log.Fetched(_logger, source.ToString(), resolved.Revision, layer.Digest, layer.MediaType, extracted.Files);
            return ToArtifact(source, resolved, final, TryReadCache(final) ?? entry);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                ContentCacheFolders.TryDelete(staging);
            }
        }
    }

    private async Task<Resolved> ResolveCoreAsync(SourceReference source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        OciRepositoryReference repository;
        try
        {
            repository = OciRepositoryReference.Parse(source.Url);
        }
        catch (FormatException ex)
        {
            throw new SourceException(ex.Message, ex) { Kind = SourceErrorKind.Other };
        }

        var credentials = _credentials is null ? null : await _credentials.GetCredentialsAsync(source, cancellationToken).ConfigureAwait(false);
        var reference = string.IsNullOrWhiteSpace(source.Ref) ? "latest" : source.Ref.Trim();
        string? tag;
        switch (source.RefKind)
        {
            case SourceRefKind.Digest:
            case SourceRefKind.Auto when OciDistributionClient.IsDigest(reference):
                tag = null;
                break;
            case SourceRefKind.Semver:
            case SourceRefKind.Auto when VersionSelector.LooksLikeRange(reference):
                var tags = await _client.ListTagsAsync(repository, credentials, cancellationToken).ConfigureAwait(false);
                try
                {
                    tag = VersionSelector.SelectHighest(tags, reference, source.IncludePrerelease);
                }
                catch (FormatException ex)
                {
                    throw new SourceException($"{source}: {ex.Message}", ex) { Kind = SourceErrorKind.RefNotFound };
                }

                if (tag is null)
                {
                    throw new SourceException($"{source}: no tag of {tags.Count} satisfies '{reference}'{(source.IncludePrerelease ? string.Empty : " (pre-releases excluded)")}.") { Kind = SourceErrorKind.RefNotFound };
                }

                break;
            case SourceRefKind.Tag:
            case SourceRefKind.Auto:
                tag = reference;
                break;
            default:
                throw new SourceException($"{source}: OCI sources take a tag, a semver range or a digest, not a {source.RefKind}.") { Kind = SourceErrorKind.RefNotFound };
        }

        var manifest = await _client.ResolveAsync(repository, tag ?? reference, credentials, cancellationToken).ConfigureAwait(false);
        var revision = tag is null ? manifest.Digest : $"{tag}@{manifest.Digest}";
        return new Resolved(repository, credentials, manifest, tag, revision);
    }

    private static (OciDescriptor Layer, bool IsHelm) SelectLayer(SourceReference source, OciManifest manifest)
    {
        if (source.Properties.TryGetValue("layerMediaType", out var wanted) && !string.IsNullOrEmpty(wanted))
        {
            var chosen = manifest.Layers.FirstOrDefault(l => l.MediaType == wanted)
                ?? throw NoLayer(source, manifest, $"no layer has media type '{wanted}'");
            return (chosen, wanted == OciMediaTypes.HelmChartContent);
        }

        var helm = manifest.Layers.FirstOrDefault(l => l.MediaType == OciMediaTypes.HelmChartContent);
        if (helm is not null)
        {
            return (helm, true);
        }

        if (manifest.Config?.MediaType == OciMediaTypes.HelmConfig)
        {
            throw NoLayer(source, manifest, "a Helm chart manifest without a chart layer");
        }

        var layer = manifest.Layers.FirstOrDefault(l => l.MediaType == OciMediaTypes.FluxContent)
            ?? manifest.Layers.FirstOrDefault(l => l.MediaType is OciMediaTypes.ImageLayerTarGzip or OciMediaTypes.DockerLayerTarGzip)
            ?? throw NoLayer(source, manifest, "no layer of a supported media type");
        return (layer, false);
    }

    private static SourceException NoLayer(SourceReference source, OciManifest manifest, string why) =>
        new($"{source}: manifest {manifest.Descriptor.Digest} has {why} (layers: {string.Join(", ", manifest.Layers.Select(l => l.MediaType))}; supported: {OciMediaTypes.HelmChartContent}, {OciMediaTypes.FluxContent}, {OciMediaTypes.ImageLayerTarGzip}, {OciMediaTypes.DockerLayerTarGzip}).")
        {
            Kind = SourceErrorKind.Other,
        };

    private static string FindChartFolder(SourceReference source, string revision, string content)
    {
        if (File.Exists(Path.Combine(content, "Chart.yaml")))
        {
            return string.Empty;
        }

        var charts = Directory.GetDirectories(content).Where(d => File.Exists(Path.Combine(d, "Chart.yaml"))).ToList();
        return charts.Count == 1
            ? Path.GetFileName(charts[0])
            : throw new SourceException($"{source} at {revision}: the chart archive holds {charts.Count} top-level folders with a Chart.yaml; expected one.") { Kind = SourceErrorKind.Integrity };
    }

    private static CacheEntry? TryReadCache(string folder) => ContentCacheFolders.TryReadMarker<CacheEntry>(folder, MarkerFile);

    private SourceArtifact ToArtifact(SourceReference source, Resolved resolved, string folder, CacheEntry entry)
    {
        var root = Path.Combine(folder, ContentFolder);
        var path = source.Path is { Length: > 0 } p ? Path.Combine(entry.Path, p.Trim('/')) : entry.Path;
        var full = Path.GetFullPath(Path.Combine(root, path));
        if (!full.StartsWith(Path.GetFullPath(root), StringComparison.Ordinal) || !Directory.Exists(full))
        {
            throw new SourceException($"{source} at {resolved.Revision}: path '{path}' does not exist in the artifact.") { Kind = SourceErrorKind.PathNotFound };
        }

        var metadata = new Dictionary<string, string>(entry.Annotations, StringComparer.Ordinal)
        {
            ["oci.manifestDigest"] = resolved.Manifest.Digest,
            ["oci.layerDigest"] = entry.LayerDigest,
            ["oci.layerMediaType"] = entry.LayerMediaType,
        };
        if (resolved.Tag is not null)
        {
            metadata["oci.tag"] = resolved.Tag;
        }

        if (entry.ConfigMediaType is not null)
        {
            metadata["oci.configMediaType"] = entry.ConfigMediaType;
        }

        return new SourceArtifact
        {
            Source = source,
            Revision = resolved.Revision,
            Digest = entry.LayerDigest,
            RootDirectory = root,
            Path = path.Replace('\\', '/'),
            FetchedAt = _time.GetUtcNow(),
            ArtifactKind = entry.Kind,
            Metadata = metadata,
        };
    }

    private sealed record Resolved(OciRepositoryReference Repository, SourceCredentials? Credentials, OciDescriptor Manifest, string? Tag, string Revision);

    private sealed record CacheEntry
    {
        public required string LayerDigest { get; init; }

        public required string LayerMediaType { get; init; }

        public string? ConfigMediaType { get; init; }

        public required string Kind { get; init; }

        public required string Path { get; init; }

        public Dictionary<string, string> Annotations { get; init; } = [];
    }
}
