using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>
/// Turns a fetched artifact into desired state: plain YAML, Kustomize, Helm or anything custom. Every renderer's
/// output goes through the same manifest reader, so hostile output is refused the same way.
/// </summary>
/// <remarks>
/// Automatic selection asks each renderer's <see cref="Detection"/> first (marker files, artifact kinds, priority); a
/// renderer that declares nothing keeps the default <see cref="RendererDetection.None"/>, so renderers written before
/// the declaration existed compile and are still asked through <see cref="CanRender"/> when no declaration matches.
/// </remarks>
/// <example>
/// <code>
/// public sealed class JsonnetRenderer : IRenderer
/// {
///     public string Name =&gt; "jsonnet";
///     public RendererDetection Detection { get; } = new() { MarkerFiles = ["jsonnetfile.json"] };
///     public bool CanRender(SourceArtifact artifact, RenderOptions options) =&gt; false;
///     public ValueTask&lt;RenderResult&gt; RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken) =&gt; …;
/// }
/// </code>
/// </example>
public interface IRenderer
{
    /// <summary>Gets the renderer's name as used in <see cref="RenderOptions.Renderer"/>, e.g. <c>plain</c>, <c>kustomize</c>, <c>helm</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Gets what automatic selection recognises as this renderer's input (see <see cref="RendererDetection"/>).
    /// <value>Default: <see cref="RendererDetection.None"/>: the renderer is asked through <see cref="CanRender"/>.</value>
    /// </summary>
    /// <remarks>A default interface member, so implementations written before it existed stay source and binary compatible.</remarks>
    RendererDetection Detection => RendererDetection.None;

    /// <summary>
    /// Returns <see langword="true"/> when this renderer should render <paramref name="artifact"/> under automatic
    /// selection. Asked only of renderers whose <see cref="Detection"/> is empty, and only when no declared renderer
    /// matches (the first that says yes, in registration order, wins over <c>plain</c>).
    /// </summary>
    /// <param name="artifact">The fetched content.</param>
    /// <param name="options">The application's render options.</param>
    /// <returns>Whether the content looks like this renderer's input.</returns>
    bool CanRender(SourceArtifact artifact, RenderOptions options);

    /// <summary>Renders <paramref name="artifact"/> into desired state.</summary>
    /// <param name="artifact">The fetched content.</param>
    /// <param name="options">The application's render options.</param>
    /// <param name="cancellationToken">Cancels rendering (external tools are killed).</param>
    /// <returns>The objects, or errors naming file, document and object. Never partial: with errors, no objects.</returns>
    ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken);
}

/// <summary>The result of rendering: desired state, or the errors that prevented it.</summary>
public sealed record RenderResult
{
    /// <summary>Gets the rendered desired state; empty when <see cref="Errors"/> is not empty.</summary>
    public DesiredState State { get; init; } = DesiredState.Empty;

    /// <summary>Gets the problems found. Any error means nothing is applied or pruned.</summary>
    public ImmutableArray<ManifestError> Errors { get; init; } = [];

    /// <summary>Gets the name of the renderer that produced the result.</summary>
    public string? Renderer { get; init; }

    /// <summary>Gets a value indicating whether rendering succeeded.</summary>
    public bool Succeeded => Errors.IsDefaultOrEmpty;

    /// <summary>Creates a successful result.</summary>
    /// <param name="state">The desired state.</param>
    /// <param name="renderer">The renderer's name.</param>
    /// <returns>The result.</returns>
    public static RenderResult Success(DesiredState state, string? renderer = null) => new() { State = state, Renderer = renderer };

    /// <summary>Creates a failed result.</summary>
    /// <param name="errors">What went wrong.</param>
    /// <param name="renderer">The renderer's name.</param>
    /// <returns>The result.</returns>
    public static RenderResult Failure(IEnumerable<ManifestError> errors, string? renderer = null) =>
        new() { Errors = [.. errors], Renderer = renderer };
}

/// <summary>
/// Per-application settings for rendering. Settings one renderer alone understands go in <see cref="RendererOptions"/>
/// (typed, under the renderer's name: the Helm package's <c>HelmRenderOptions</c> under <c>helm</c>), or as plain strings in
/// <see cref="Properties"/>.
/// </summary>
public sealed record RenderOptions
{
    /// <summary>Gets the application's name (used for ownership marks, error messages, and by renderers as a default name such as Helm's release).</summary>
    public string ApplicationName { get; init; } = "default";

    /// <summary>Gets the renderer to use (<c>auto</c>, <c>plain</c>, <c>kustomize</c>, <c>helm</c> or a custom name). <value>Default: <c>auto</c>.</value></summary>
    public string Renderer { get; init; } = "auto";

    /// <summary>Gets the target namespace: the default for namespaced objects that have none, and what a renderer renders for (Helm's <c>--namespace</c>).</summary>
    public string? Namespace { get; init; }

    /// <summary>Gets extra command-line arguments for an external renderer (e.g. <c>--load-restrictor=LoadRestrictionsNone</c>).</summary>
    public ImmutableArray<string> ExtraArguments { get; init; } = [];

    /// <summary>Gets the time an external renderer may take. <value>Default: 2 minutes.</value></summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets labels added to every rendered object.</summary>
    public IReadOnlyDictionary<string, string> CommonLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets annotations added to every rendered object.</summary>
    public IReadOnlyDictionary<string, string> CommonAnnotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets a value indicating whether <c>${VAR}</c> substitution runs. <value>Default: <see langword="false"/>.</value></summary>
    public bool SubstituteVariables { get; init; }

    /// <summary>Gets the variables for <c>${VAR}</c> substitution.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets renderer-specific settings as plain strings.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Gets typed renderer-specific settings, keyed by renderer name (compared without regard to case). Read them with
    /// <see cref="GetRendererOptions{T}"/>, add them with <see cref="WithRendererOptions"/>.
    /// </summary>
    public ImmutableDictionary<string, IRendererOptions> RendererOptions { get; init; } = ImmutableDictionary.Create<string, IRendererOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets a value indicating whether the target <see cref="Namespace"/> is added to the desired state as a Namespace
    /// object (owned and marked like every other object) when the source does not declare it. <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool CreateNamespace { get; init; }

    /// <summary>Returns the settings stored for <paramref name="renderer"/> when they are a <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The renderer's options type.</typeparam>
    /// <param name="renderer">The renderer's name.</param>
    /// <returns>The settings, or <see langword="null"/> when there are none (or of another type).</returns>
    public T? GetRendererOptions<T>(string renderer)
        where T : class, IRendererOptions
    {
        ArgumentException.ThrowIfNullOrEmpty(renderer);
        var map = RendererOptions ?? ImmutableDictionary<string, IRendererOptions>.Empty;
        return map.TryGetValue(renderer, out var found) ? found as T
            : map.FirstOrDefault(p => string.Equals(p.Key, renderer, StringComparison.OrdinalIgnoreCase)).Value as T;
    }

    /// <summary>Returns a copy with <paramref name="options"/> stored for <paramref name="renderer"/> (replacing what was there).</summary>
    /// <param name="renderer">The renderer's name.</param>
    /// <param name="options">The settings.</param>
    /// <returns>The changed copy.</returns>
    public RenderOptions WithRendererOptions(string renderer, IRendererOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(renderer);
        ArgumentNullException.ThrowIfNull(options);
        var map = RendererOptions ?? ImmutableDictionary.Create<string, IRendererOptions>(StringComparer.OrdinalIgnoreCase);
        var existing = map.Keys.FirstOrDefault(k => string.Equals(k, renderer, StringComparison.OrdinalIgnoreCase));
        return this with { RendererOptions = (existing is null ? map : map.Remove(existing)).SetItem(renderer, options) };
    }
}

/// <summary>
/// A step applied to every renderer's output, in <see cref="Order"/> (lower first): default namespace, common
/// labels and annotations, variable substitution, ownership marks, or a host's own.
/// </summary>
public interface IRenderTransform
{
    /// <summary>Gets the position of this transform; built-in transforms use multiples of 100.</summary>
    int Order { get; }

    /// <summary>Transforms the rendered state.</summary>
    /// <param name="state">The state so far.</param>
    /// <param name="context">The application and options.</param>
    /// <param name="cancellationToken">Cancels the transform.</param>
    /// <returns>The transformed state, or errors naming the object.</returns>
    ValueTask<RenderResult> TransformAsync(DesiredState state, RenderTransformContext context, CancellationToken cancellationToken);
}

/// <summary>What a render transform knows about the rendering it is part of.</summary>
public sealed record RenderTransformContext
{
    /// <summary>Gets the artifact that was rendered.</summary>
    public required SourceArtifact Artifact { get; init; }

    /// <summary>Gets the application's render options.</summary>
    public required RenderOptions Options { get; init; }
}
