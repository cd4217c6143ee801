using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Rendering;

/// <summary>
/// The render stage: chooses a renderer, renders, runs the <see cref="IRenderTransform"/>s in order and caches the result.
/// </summary>
/// <remarks>
/// <para>
/// Renderer selection: an explicit <see cref="RenderOptions.Renderer"/> name picks the registered renderer of that name.
/// <c>auto</c> asks every registered renderer's <see cref="IRenderer.Detection"/>: of those whose marker file or
/// artifact kind matches, the highest <see cref="RendererDetection.Priority"/> wins (a tie is an error naming both and
/// the folder); else the first renderer that declares nothing and whose <see cref="IRenderer.CanRender"/> says yes;
/// else <c>plain</c>. A folder holding the input of a well-known renderer that is not registered (a kustomization, a
/// Helm chart) is an error naming the marker and the registration to call, never rendered as plain YAML.
/// </para>
/// <para>
/// Transforms run in ascending <see cref="IRenderTransform.Order"/> (ties in registration order). The built-in order is
/// fixed: 100 <see cref="DefaultNamespaceTransform"/>, 150 <see cref="CreateNamespaceTransform"/>, 200 <see cref="CommonMetadataTransform"/>, 300
/// <see cref="VariableSubstitutionTransform"/>, 1000 <see cref="OwnershipTransform"/>; a host's own transform picks a
/// number between them (below 1000 so the ownership marks see the final names).
/// </para>
/// <para>
/// Successful results are cached by (artifact digest, path, renderer, hash of the render options and of the value files'
/// content), least recently used dropped first beyond <see cref="RenderStageOptions.CacheSize"/>. Hits and misses are
/// counted in <see cref="CacheHits"/>/<see cref="CacheMisses"/> and in the counters <c>gitops.render.cache.hits</c> and
/// <c>gitops.render.cache.misses</c> of the <see cref="GitOpsTelemetry"/> meter. Artifacts without a digest are never cached.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var stage = serviceProvider.GetRequiredService&lt;IRenderStage&gt;();
/// var result = await stage.RenderAsync(artifact, new RenderOptions { ApplicationName = "shop", Namespace = "shop" }, ct);
/// if (!result.Succeeded) { foreach (var e in result.Errors) Console.Error.WriteLine(e); }
/// </code>
/// </example>
public sealed class RenderStage : IRenderStage
{
    private readonly IRenderer[] _renderers;
    private readonly IRenderTransform[] _transforms;
    private readonly RenderCache _cache;
    private readonly int _cacheSize;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Counter<long> _hitCounter;
    private readonly Counter<long> _missCounter;
    private readonly Histogram<double> _duration;
    private long _hits;
    private long _misses;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="renderers">The registered renderers.</param>
    /// <param name="transforms">The registered transforms.</param>
    /// <param name="options">The stage settings; defaults when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for durations; the system clock when <see langword="null"/>.</param>
    /// <param name="telemetry">The meter the counters are on; <see cref="GitOpsTelemetry.Shared"/> when <see langword="null"/>.</param>
    public RenderStage(
        IEnumerable<IRenderer> renderers,
        IEnumerable<IRenderTransform> transforms,
        IOptions<RenderStageOptions>? options = null,
        ILogger<RenderStage>? logger = null,
        TimeProvider? timeProvider = null,
        GitOpsTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(renderers);
        ArgumentNullException.ThrowIfNull(transforms);
        _renderers = [.. renderers];
        _transforms = [.. transforms.Select((t, i) => (t, i)).OrderBy(x => x.t.Order).ThenBy(x => x.i).Select(x => x.t)];
        _cacheSize = Math.Max(0, (options?.Value ?? new RenderStageOptions()).CacheSize);
        _cache = new RenderCache(_cacheSize);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        var meter = (telemetry ?? GitOpsTelemetry.Shared).Meter;
        Meter = meter;
        _hitCounter = meter.CreateCounter<long>("gitops.render.cache.hits", "{render}", "Renders answered from the render cache.");
        _missCounter = meter.CreateCounter<long>("gitops.render.cache.misses", "{render}", "Renders that were not in the render cache.");
        _duration = meter.CreateHistogram<double>("gitops.render.duration", "s", "Time spent rendering and transforming (cache misses only).");
    }

    /// <summary>Gets how many renders were answered from the cache.</summary>
    public long CacheHits => Interlocked.Read(ref _hits);

    /// <summary>Gets how many cacheable renders were not in the cache.</summary>
    public long CacheMisses => Interlocked.Read(ref _misses);

    /// <summary>Gets how many results the cache holds.</summary>
    public int CacheCount => _cache.Count;

    /// <summary>Gets the transforms in the order they run.</summary>
    public IReadOnlyList<IRenderTransform> Transforms => _transforms;

    /// <summary>Gets the meter the counters are on.</summary>
    internal Meter Meter { get; }

    /// <summary>Drops every cached result.</summary>
    public void ClearCache() => _cache.Clear();

    /// <summary>Returns the renderer <paramref name="options"/> selects for <paramref name="artifact"/>.</summary>
    /// <param name="artifact">The fetched content.</param>
    /// <param name="options">The application's render options.</param>
    /// <param name="error">Why no renderer could be chosen.</param>
    /// <returns>The renderer, or <see langword="null"/> with <paramref name="error"/> set.</returns>
    public IRenderer? SelectRenderer(SourceArtifact artifact, RenderOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(options);
        error = null;
        var requested = string.IsNullOrWhiteSpace(options.Renderer) ? "auto" : options.Renderer.Trim();
        if (!string.Equals(requested, "auto", StringComparison.OrdinalIgnoreCase))
        {
            var named = Find(requested);
            if (named is null)
            {
                error = $"no renderer named '{requested}' is registered (registered: {Registered()})";
            }

            return named;
        }

        var directory = artifact.ContentDirectory;
        if (!Directory.Exists(directory))
        {
            error = $"the path '{(artifact.Path.Length == 0 ? "." : artifact.Path)}' does not exist in the artifact";
            return null;
        }

        var detected = Detect(artifact, out error);
        if (detected is not null || error is not null)
        {
            return detected;
        }

        var custom = _renderers.FirstOrDefault(r => (r.Detection ?? RendererDetection.None).IsEmpty && !IsPlain(r) && r.CanRender(artifact, options));
        if (custom is not null)
        {
            return custom;
        }

        var plain = Find("plain");
        if (plain is null)
        {
            error = $"no 'plain' renderer is registered (registered: {Registered()})";
        }

        return plain;
    }

    /// <inheritdoc />
    public async ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(options);
        var renderer = SelectRenderer(artifact, options, out var selectionError);
        if (renderer is null)
        {
            return Failed(artifact, options, [new ManifestError(selectionError!) { Code = "no-renderer" }], null);
        }

        RenderCacheKey? key = string.IsNullOrEmpty(artifact.Digest) || _cacheSize == 0
            ? null
            : new RenderCacheKey(artifact.Digest, artifact.Path, renderer.Name, OptionsHash(artifact, options));
        var tags = new TagList { { "gitops.renderer", renderer.Name } };
        if (key is { } k)
        {
            if (_cache.TryGet(k, out var cached))
            {
                Interlocked.Increment(ref _hits);
                _hitCounter.Add(1, tags);
                Log.CacheHit(_logger, options.ApplicationName, artifact.Revision, renderer.Name);
                return cached;
            }

            Interlocked.Increment(ref _misses);
            _missCounter.Add(1, tags);
        }

        var started = _timeProvider.GetTimestamp();
        Log.Rendering(_logger, options.ApplicationName, artifact.Revision, renderer.Name);
        var rendered = await renderer.RenderAsync(artifact, options, cancellationToken).ConfigureAwait(false);
        if (!rendered.Succeeded)
        {
            return Failed(artifact, options, rendered.Errors, renderer.Name);
        }

        var state = rendered.State with { Revision = artifact.Revision, Digest = artifact.Digest };
        var context = new RenderTransformContext { Artifact = artifact, Options = options };
        foreach (var transform in _transforms)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var transformed = await transform.TransformAsync(state, context, cancellationToken).ConfigureAwait(false);
            if (!transformed.Succeeded)
            {
                return Failed(artifact, options, transformed.Errors, renderer.Name);
            }

            state = transformed.State;
        }

        var result = RenderResult.Success(state, renderer.Name);
        _duration.Record(_timeProvider.GetElapsedTime(started).TotalSeconds, tags);
        if (key is { } storeKey)
        {
            _cache.Set(storeKey, result);
        }

        return result;
    }

    /// <summary>
    /// Hashes every option that can change the rendered output, the renderer-specific options by their
    /// <see cref="IRendererOptions.CacheKey"/>, plus the content of the files those reference (Helm's value files: they may
    /// live outside the artifact path whose digest the key already holds). Variables are hashed, never stored.
    /// </summary>
    internal static string OptionsHash(SourceArtifact artifact, RenderOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string? value)
        {
            if (value is null)
            {
                hash.AppendData([0xFF]);
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(value);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        void AddList(IEnumerable<string> values)
        {
            var list = values.ToList();
            Add(list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var v in list)
            {
                Add(v);
            }
        }

        void AddMap(IReadOnlyDictionary<string, string> map)
        {
            Add(map.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Add(k);
                Add(v);
            }
        }

        Add(options.ApplicationName);
        Add(options.Namespace);
        var rendererOptions = options.RendererOptions ?? ImmutableDictionary<string, IRendererOptions>.Empty;
        Add(rendererOptions.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (renderer, settings) in rendererOptions.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            Add(renderer.ToLowerInvariant());
            Add(settings.GetType().FullName);
            Add(settings.CacheKey);
            var files = settings.ReferencedFiles ?? [];
            AddList(files);
            foreach (var file in files)
            {
                var full = Path.GetFullPath(Path.Combine(artifact.ContentDirectory, file));
                Add(File.Exists(full) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(full))) : null);
            }
        }

        AddList(options.ExtraArguments);
        AddMap(options.CommonLabels);
        AddMap(options.CommonAnnotations);
        Add(options.SubstituteVariables ? "subst" : "no-subst");
        AddMap(options.SubstituteVariables ? options.Variables : ImmutableDictionary<string, string>.Empty);
        AddMap(options.Properties);
        Add(options.CreateNamespace ? "create-namespace" : "no-create-namespace");
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private RenderResult Failed(SourceArtifact artifact, RenderOptions options, ImmutableArray<ManifestError> errors, string? renderer)
    {
        Log.RenderFailed(_logger, options.ApplicationName, artifact.Revision, errors.Length);
        var prefix = $"application '{options.ApplicationName}' at revision {artifact.Revision}: ";
        return RenderResult.Failure(
            errors.Select(e => e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e : e with { Message = prefix + e.Message }),
            renderer);
    }

    private IRenderer? Find(string name) =>
        _renderers.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    private static bool IsPlain(IRenderer renderer) => string.Equals(renderer.Name, "plain", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The declared renderers (and the well-known ones that are not registered) that match, highest priority first;
    /// the winner, or <see langword="null"/> with <paramref name="error"/> set on a tie or when the winner is not
    /// registered, or <see langword="null"/> without an error when nothing declared matches.
    /// </summary>
    private IRenderer? Detect(SourceArtifact artifact, out string? error)
    {
        error = null;
        var candidates = new List<(string Name, IRenderer? Renderer, int Priority, string Match, string Evidence, string? Registration)>();
        void AddIfMatched(string name, IRenderer? renderer, RendererDetection detection, string? registration)
        {
            if (detection.Match(artifact) is { } match)
            {
                var byMarker = !detection.MarkerFiles.IsDefault && detection.MarkerFiles.Contains(match);
                candidates.Add((name, renderer, detection.Priority, match, byMarker ? $"the folder holds {match}" : $"the artifact is of {match}", registration));
            }
        }

        foreach (var renderer in _renderers.Where(static r => !IsPlain(r)))
        {
            AddIfMatched(renderer.Name, renderer, renderer.Detection ?? RendererDetection.None, registration: null);
        }

        foreach (var (name, detection, registration) in WellKnownRenderers.All.Where(w => Find(w.Name) is null))
        {
            AddIfMatched(name, renderer: null, detection, registration);
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        var top = candidates.Max(c => c.Priority);
        var winners = candidates.Where(c => c.Priority == top).ToList();
        var folder = artifact.Path.Length == 0 ? "." : artifact.Path;
        if (winners.Count > 1)
        {
            error = $"the folder '{folder}' matches more than one renderer at priority {top}: "
                + string.Join(", ", winners.Select(w => $"'{w.Name}' ({w.Match})"))
                + $" (registered: {Registered()}); name one in the application's Renderer, or give their detections different priorities";
            return null;
        }

        var winner = winners[0];
        if (winner.Renderer is null)
        {
            error = $"{winner.Evidence}, so it needs the '{winner.Name}' renderer, which is not registered (call {winner.Registration}; registered: {Registered()})";
        }

        return winner.Renderer;
    }

    private string Registered() => _renderers.Length == 0 ? "none" : string.Join(", ", _renderers.Select(r => r.Name));
}
