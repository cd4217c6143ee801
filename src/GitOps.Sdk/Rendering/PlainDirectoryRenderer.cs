using System.Collections.Immutable;
using GitOps.Sdk.Manifests;

namespace GitOps.Sdk.Rendering;

/// <summary>
/// Renders a directory of plain manifests: every <c>.yaml</c>, <c>.yml</c> and <c>.json</c> file under the artifact's
/// content directory, recursively, in ordinal order of their paths, read by <see cref="ManifestReader"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Hidden files and folders (names starting with <c>.</c>, such as <c>.git</c> or <c>.github</c>) are skipped.</item>
/// <item>Symbolic links (to files or folders) are followed only when their final target lies inside the artifact root
/// (<see cref="SourceArtifact.RootDirectory"/>); a link that leaves it, a dangling link to a manifest and a folder
/// link that loops are errors.</item>
/// <item>The same object (<see cref="ResourceKey"/>) declared twice, in one file or in two, is an error naming both places.</item>
/// <item>File names in origins and errors are relative to the artifact root, with <c>/</c> separators.</item>
/// <item>Never partial: with any error, no objects.</item>
/// </list>
/// This renderer accepts any artifact, so the render stage asks it last, after Kustomize and Helm.
/// </remarks>
internal sealed class PlainDirectoryRenderer : IRenderer
{
    private const int MaxFolderDepth = 64;
    private readonly ManifestReader _reader;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The manifest reader's limits and checks; the defaults when <see langword="null"/>.</param>
    public PlainDirectoryRenderer(ManifestReaderOptions? options = null)
    {
        _reader = new ManifestReader(options);
    }

    /// <inheritdoc />
    public string Name => "plain";

    /// <summary>Returns <see langword="true"/>: plain manifests are the fallback for any artifact.</summary>
    /// <param name="artifact">The fetched content.</param>
    /// <param name="options">The application's render options.</param>
    /// <returns>Always <see langword="true"/>.</returns>
    public bool CanRender(SourceArtifact artifact, RenderOptions options) => true;

    /// <inheritdoc />
    public ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(options);
        return ValueTask.FromResult(Render(artifact, cancellationToken));
    }

    private RenderResult Render(SourceArtifact artifact, CancellationToken cancellationToken)
    {
        var errors = new List<ManifestError>();
        var rootReal = RealPath(Path.GetFullPath(artifact.RootDirectory));
        if (rootReal is null || !Directory.Exists(rootReal))
        {
            return Fail([Error("the artifact root does not exist", ".", ManifestErrorCodes.ReadFailed)]);
        }

        var contentLogical = Path.GetFullPath(artifact.ContentDirectory);
        var contentDisplay = Display(Path.GetRelativePath(Path.GetFullPath(artifact.RootDirectory), contentLogical));
        var contentReal = RealPath(contentLogical);
        if (contentReal is null || !IsUnder(contentReal, rootReal))
        {
            return Fail([Error("the path leaves the artifact root (through '..' or a symbolic link)", contentDisplay, ManifestErrorCodes.SymlinkEscape)]);
        }

        if (!Directory.Exists(contentReal))
        {
            return Fail([Error("the path does not exist in the artifact", contentDisplay, ManifestErrorCodes.ReadFailed)]);
        }

        var files = new List<(string Display, string Real)>();
        var onPath = new HashSet<string>(StringComparer.Ordinal) { contentReal };
        Collect(contentReal, contentDisplay == "." ? string.Empty : contentDisplay, rootReal, files, errors, onPath, 0, cancellationToken);
        if (errors.Count > 0)
        {
            return Fail(errors);
        }

        files.Sort(static (a, b) => string.CompareOrdinal(a.Display, b.Display));
        var objects = ImmutableArray.CreateBuilder<KubeObject>();
        var seen = new Dictionary<ResourceKey, KubeObject>();
        foreach (var (display, real) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = _reader.ReadFile(real, display);
            if (!result.Succeeded)
            {
                errors.AddRange(result.Errors);
                continue;
            }

            foreach (var obj in result.Objects)
            {
                if (seen.TryGetValue(obj.Key, out var first))
                {
                    var origin = obj.Origin!;
                    errors.Add(new ManifestError(
                        $"the object is declared twice: first in {first.Origin}, again in {origin}",
                        origin.File,
                        origin.DocumentIndex,
                        origin.Line,
                        origin.Column)
                    {
                        Code = ManifestErrorCodes.DuplicateObject,
                        Object = obj.Key,
                    });
                    continue;
                }

                seen.Add(obj.Key, obj);
                objects.Add(obj);
            }
        }

        if (errors.Count > 0)
        {
            return Fail(errors);
        }

        return RenderResult.Success(
            new DesiredState { Objects = objects.ToImmutable(), Revision = artifact.Revision, Digest = artifact.Digest },
            Name);
    }

    private static void Collect(
        string realDirectory,
        string displayDirectory,
        string rootReal,
        List<(string Display, string Real)> files,
        List<ManifestError> errors,
        HashSet<string> onPath,
        int depth,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (depth > MaxFolderDepth)
        {
            errors.Add(Error($"folders nest deeper than {MaxFolderDepth} levels", displayDirectory, ManifestErrorCodes.ReadFailed));
            return;
        }

        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = [.. new DirectoryInfo(realDirectory).EnumerateFileSystemInfos()];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(Error($"the folder could not be read: {ex.Message}", displayDirectory, ManifestErrorCodes.ReadFailed));
            return;
        }

        foreach (var entry in entries)
        {
            if (entry.Name.StartsWith('.'))
            {
                continue;
            }

            var display = displayDirectory.Length == 0 ? entry.Name : displayDirectory + "/" + entry.Name;
            var real = entry.FullName;
            var isDirectory = entry is DirectoryInfo;
            if (entry.LinkTarget is { } link)
            {
                var resolved = RealPath(Path.IsPathRooted(link) ? link : Path.Combine(realDirectory, link));
                if (resolved is null || !(File.Exists(resolved) || Directory.Exists(resolved)))
                {
                    if (IsManifest(entry.Name))
                    {
                        errors.Add(Error("the symbolic link cannot be resolved", display, ManifestErrorCodes.SymlinkEscape));
                    }

                    continue;
                }

                if (!IsUnder(resolved, rootReal))
                {
                    errors.Add(Error("the symbolic link points outside the artifact root", display, ManifestErrorCodes.SymlinkEscape));
                    continue;
                }

                real = resolved;
                isDirectory = Directory.Exists(resolved);
            }

            if (isDirectory)
            {
                if (!onPath.Add(real))
                {
                    errors.Add(Error("the symbolic link forms a loop", display, ManifestErrorCodes.SymlinkEscape));
                    continue;
                }

                Collect(real, display, rootReal, files, errors, onPath, depth + 1, cancellationToken);
                onPath.Remove(real);
            }
            else if (IsManifest(entry.Name))
            {
                files.Add((display, real));
            }
        }
    }

    private static bool IsManifest(string name) =>
        name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private static bool IsUnder(string path, string root) =>
        string.Equals(path, root, StringComparison.Ordinal)
        || (path.StartsWith(root, StringComparison.Ordinal)
            && (root.EndsWith(Path.DirectorySeparatorChar) || path[root.Length] == Path.DirectorySeparatorChar));

    private static string Display(string relative) =>
        Path.DirectorySeparatorChar == '/' ? relative : relative.Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Resolves every symbolic link in <paramref name="path"/>, like realpath(3); <see langword="null"/> for a loop.</summary>
    internal static string? RealPath(string path, int hops = 0)
    {
        if (hops > 40)
        {
            return null;
        }

        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? string.Empty;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            string? link;
            try
            {
                link = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                link = null;
            }

            if (link is not null)
            {
                next = RealPath(Path.IsPathRooted(link) ? link : Path.Combine(current, link), hops + 1);
                if (next is null)
                {
                    return null;
                }
            }

            current = next;
        }

        return current;
    }

    private static ManifestError Error(string message, string file, string code) => new(message, file) { Code = code };

    private RenderResult Fail(IEnumerable<ManifestError> errors) => RenderResult.Failure(errors, Name);
}
