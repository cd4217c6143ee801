using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>
/// Reads Kubernetes manifests (YAML or JSON streams) into <see cref="KubeObject"/>s. The engine registers its reader
/// (with kubectl's YAML meaning and limits on size, depth and aliases) when <c>services.AddGitOps()</c> runs; a renderer
/// that produces YAML text, such as one running an external tool, takes this contract instead of parsing itself, so
/// hostile output is refused the same way for every renderer and no renderer package needs a YAML library.
/// </summary>
/// <example>
/// <code>
/// public sealed class JsonnetRenderer(IManifestReader manifests) : IRenderer
/// {
///     // …
///     private RenderResult Read(string output) =&gt; manifests.Read(output, "main.jsonnet") is { Succeeded: true } read
///         ? RenderResult.Success(new DesiredState { Objects = read.Objects }, Name)
///         : RenderResult.Failure(read.Errors, Name);
/// }
/// </code>
/// </example>
public interface IManifestReader
{
    /// <summary>Reads every object in a YAML or JSON stream.</summary>
    /// <param name="yaml">The stream's text.</param>
    /// <param name="file">The file name to report in origins and errors (relative to the artifact root where possible).</param>
    /// <returns>The objects in stream order, or the errors (then no objects).</returns>
    ManifestReadResult Read(string yaml, string file);

    /// <summary>Reads every object in a YAML or JSON file.</summary>
    /// <param name="path">The file's path on disk.</param>
    /// <param name="displayName">The name to report in origins and errors (relative to the artifact root where possible).</param>
    /// <returns>The objects in file order, or the errors (then no objects).</returns>
    ManifestReadResult ReadFile(string path, string displayName);
}

/// <summary>The objects read from one stream, or the errors that prevented it.</summary>
public sealed record ManifestReadResult
{
    /// <summary>Gets the objects in stream order (List items in place of their List); empty when <see cref="Errors"/> is not.</summary>
    public ImmutableArray<KubeObject> Objects { get; init; } = [];

    /// <summary>Gets the problems found, each naming file, document index, line and column.</summary>
    public ImmutableArray<ManifestError> Errors { get; init; } = [];

    /// <summary>Gets a value indicating whether the stream was read without errors.</summary>
    public bool Succeeded => Errors.IsDefaultOrEmpty;

    /// <summary>Creates a failed result with one error.</summary>
    /// <param name="error">What went wrong.</param>
    /// <returns>The result.</returns>
    public static ManifestReadResult Failure(ManifestError error) => new() { Errors = [error] };
}
