using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk;

/// <summary>
/// Settings that only one renderer understands (Helm's values and release name, say), carried in
/// <see cref="RenderOptions.RendererOptions"/> under the renderer's <see cref="IRendererOptions"/> name, so that the core
/// options hold nothing renderer-specific. Implementations are immutable records.
/// </summary>
/// <example>
/// <code>
/// public sealed record JsonnetRenderOptions : IRendererOptions
/// {
///     public ImmutableArray&lt;string&gt; LibraryPaths { get; init; } = [];
///     public string CacheKey =&gt; string.Join("\n", LibraryPaths);
/// }
///
/// var options = new RenderOptions { ApplicationName = "shop" }
///     .WithRendererOptions("jsonnet", new JsonnetRenderOptions { LibraryPaths = ["lib"] });
/// var mine = options.GetRendererOptions&lt;JsonnetRenderOptions&gt;("jsonnet");
/// </code>
/// </example>
public interface IRendererOptions
{
    /// <summary>
    /// Gets the settings as text that is stable across runs and processes: two settings that can render differently must
    /// give different text. The render cache and the reconciler's "same options as last time" check key on it, so a
    /// setting left out of it leaves a stale render in place.
    /// </summary>
    string CacheKey { get; }

    /// <summary>
    /// Gets files the settings point at, relative to the artifact's content directory. The render cache hashes their
    /// content as well, since they may lie outside the path whose digest the cache key already holds.
    /// <value>Default: none.</value>
    /// </summary>
    IReadOnlyList<string> ReferencedFiles => [];
}

/// <summary>
/// Reads one renderer's <see cref="IRendererOptions"/> from an application's configuration section, so that
/// <c>appsettings.json</c> can carry renderer-specific keys without the engine knowing them. A renderer package registers
/// its binder (with <c>TryAddEnumerable</c>) where it registers the renderer; <c>AddGitOps(IConfiguration)</c> asks every
/// registered binder about every application.
/// </summary>
public interface IRendererOptionsBinder
{
    /// <summary>Gets the renderer name the options are stored under in <see cref="RenderOptions.RendererOptions"/>.</summary>
    string Renderer { get; }

    /// <summary>Reads the renderer's settings of one application.</summary>
    /// <param name="application">The application's section (<c>GitOps:Applications:&lt;name&gt;</c>).</param>
    /// <param name="current">The settings the application already has (from code), or <see langword="null"/>.</param>
    /// <param name="errors">Where values that do not parse are reported, each naming its configuration path.</param>
    /// <returns>The settings with the section's values applied, or <see langword="null"/> when the section has none of them.</returns>
    IRendererOptions? Bind(IConfigurationSection application, IRendererOptions? current, ICollection<string> errors);

    /// <summary>
    /// Gets the keys <see cref="Bind"/> reads, relative to the application's section: a key (<c>ReleaseName</c>), a key
    /// in a subsection (<c>Helm:ReleaseName</c>), <c>*</c> for the entries of a list or map (<c>ValueFiles:*</c>). The
    /// start-up check reports every other key of an application as unknown; while any registered binder returns none (the
    /// default), application keys are not checked.
    /// <value>Default: none.</value>
    /// </summary>
    IReadOnlyList<string> ConfigurationKeys => [];
}
