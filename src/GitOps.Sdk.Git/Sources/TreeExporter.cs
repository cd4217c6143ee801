using System.Security.Cryptography;
using System.Text;
using LibGit2Sharp;

namespace GitOps.Sdk.Git;

/// <summary>
/// Selects the files of one path of a commit (minus ignored files, refusing escaping symlinks), computes their digest
/// and writes them to a folder.
/// </summary>
internal static class TreeExporter
{
    private const string SourceIgnoreFile = ".sourceignore";

    /// <summary>Walks the selected path and returns the files to export with their digest.</summary>
    /// <exception cref="SourceException">The path is missing (<see cref="SourceErrorKind.PathNotFound"/>) or a symlink escapes (<see cref="SourceErrorKind.Integrity"/>).</exception>
    public static Selection Select(Commit commit, string path, ExportSettings settings, string display, string revision)
    {
        var root = commit.Tree;
        var ignore = new IgnoreRules();
        ignore.Add(settings.Ignore, string.Empty, "GitSourceOptions.Ignore");
        var include = new IgnoreRules();
        include.Add(settings.Include, string.Empty, "GitSourceOptions.Include");

        // .sourceignore files of the folders above the selected path apply to it too.
        var tree = root;
        var walked = string.Empty;
        if (settings.UseSourceIgnore)
        {
            AddSourceIgnore(tree, walked, ignore, display);
        }

        if (path.Length > 0)
        {
            foreach (var segment in path.Split('/'))
            {
                var entry = tree[segment];
                if (entry is null || entry.TargetType != TreeEntryTargetType.Tree)
                {
                    throw new SourceException($"git source {display} at {revision}: the path '{path}' does not exist (or is not a folder).")
                    {
                        Kind = SourceErrorKind.PathNotFound,
                    };
                }

                walked = walked.Length == 0 ? segment : walked + "/" + segment;
                tree = (Tree)entry.Target;
                if (settings.UseSourceIgnore)
                {
                    AddSourceIgnore(tree, walked, ignore, display);
                }
            }
        }

        var files = new List<ExportedFile>();
        try
        {
            Walk(tree, path, path, ignore, include, settings.UseSourceIgnore, files, display, revision);
        }
        catch (FormatException e)
        {
            throw new SourceException($"git source {display} at {revision}: {e.Message}", e) { Kind = SourceErrorKind.Other };
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        foreach (var file in files)
        {
            var relative = path.Length == 0 ? file.Path : file.Path[(path.Length + 1)..];
            hash.AppendData(Encoding.UTF8.GetBytes($"{Convert.ToString((int)file.Mode, 8)} {relative}\0{file.Blob.Size}\0"));
            using var content = file.Blob.GetContentStream();
            int read;
            while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return new Selection(files, "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Writes the selected files below <paramref name="directory"/> (keeping their repository paths) and makes them read-only.</summary>
    public static void Write(Selection selection, string directory, string path)
    {
        Directory.CreateDirectory(path.Length == 0 ? directory : Path.Combine(directory, path));
        var buffer = new byte[81920];
        foreach (var file in selection.Files)
        {
            var target = Path.Combine(directory, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (file.Mode == Mode.SymbolicLink)
            {
                File.CreateSymbolicLink(target, file.LinkTarget!);
                continue;
            }

            using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.SequentialScan))
            using (var content = file.Blob.GetContentStream())
            {
                int read;
                while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
                {
                    output.Write(buffer, 0, read);
                }
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, file.Mode == Mode.ExecutableFile
                    ? UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                    : UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
            else
            {
                File.SetAttributes(target, FileAttributes.ReadOnly);
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            // The export is shared by every fetch with the same content: folders are read-only too.
            const UnixFileMode readOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            foreach (var folder in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories).Reverse().Append(directory))
            {
                File.SetUnixFileMode(folder, readOnlyFolder);
            }
        }
    }

    private static void Walk(Tree tree, string treePath, string selectedPath, IgnoreRules ignore, IgnoreRules include, bool useSourceIgnore, List<ExportedFile> files, string display, string revision)
    {
        foreach (var entry in tree)
        {
            if (entry.Name is "" or "." or ".." || entry.Name.IndexOfAny(['/', '\0']) >= 0
                || (OperatingSystem.IsWindows() && entry.Name.Contains('\\', StringComparison.Ordinal)))
            {
                // git fsck refuses such trees; a crafted repository could still carry one. Never let it name a path.
                throw new SourceException($"git source {display} at {revision}: the tree '{treePath}' holds an entry named '{entry.Name}' that would escape the export; refused.")
                {
                    Kind = SourceErrorKind.Integrity,
                };
            }

            var entryPath = treePath.Length == 0 ? entry.Name : treePath + "/" + entry.Name;
            if (entry.Name.Equals(".git", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            switch (entry.Mode)
            {
                case Mode.Directory:
                    if (ignore.IsMatch(entryPath, isDirectory: true))
                    {
                        continue;
                    }

                    var subtree = (Tree)entry.Target;
                    var rules = ignore;
                    if (useSourceIgnore && subtree[SourceIgnoreFile] is { TargetType: TreeEntryTargetType.Blob })
                    {
                        rules = ignore.Clone();
                        AddSourceIgnore(subtree, entryPath, rules, display);
                    }

                    Walk(subtree, entryPath, selectedPath, rules, include, useSourceIgnore, files, display, revision);
                    break;
                case Mode.NonExecutableFile or Mode.ExecutableFile or Mode.NonExecutableGroupWritableFile or Mode.SymbolicLink:
                    if (ignore.IsMatch(entryPath, isDirectory: false) || (!include.IsEmpty && !include.IsMatchOrUnder(entryPath)))
                    {
                        continue;
                    }

                    var blob = (Blob)entry.Target;
                    string? linkTarget = null;
                    if (entry.Mode == Mode.SymbolicLink)
                    {
                        linkTarget = blob.GetContentText();
                        CheckLink(entryPath, linkTarget, selectedPath, display, revision);
                    }

                    var mode = entry.Mode == Mode.NonExecutableGroupWritableFile ? Mode.NonExecutableFile : entry.Mode;
                    files.Add(new ExportedFile(entryPath, mode, blob, linkTarget));
                    break;
                default:
                    // Submodules (gitlinks) are not part of the content.
                    break;
            }
        }
    }

    private static void CheckLink(string linkPath, string target, string selectedPath, string display, string revision)
    {
        if (target.Length == 0 || target.StartsWith('/') || target.StartsWith('\\') || Path.IsPathRooted(target) || target.Contains('\0', StringComparison.Ordinal))
        {
            throw Escape("an absolute path");
        }

        var parts = new List<string>(linkPath.Split('/')[..^1]);
        foreach (var segment in target.Replace('\\', '/').Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (parts.Count == 0)
                {
                    throw Escape("a place outside the repository");
                }

                parts.RemoveAt(parts.Count - 1);
            }
            else
            {
                parts.Add(segment);
            }
        }

        var resolved = string.Join('/', parts);
        if (selectedPath.Length > 0 && resolved != selectedPath && !resolved.StartsWith(selectedPath + "/", StringComparison.Ordinal))
        {
            throw Escape($"'{resolved}', outside the selected path '{selectedPath}'");
        }

        SourceException Escape(string where) => new(
            $"git source {display} at {revision}: the symlink '{linkPath}' points to {where} ('{target}'); refused.")
        {
            Kind = SourceErrorKind.Integrity,
        };
    }

    private static void AddSourceIgnore(Tree tree, string treePath, IgnoreRules rules, string display)
    {
        if (tree[SourceIgnoreFile] is { TargetType: TreeEntryTargetType.Blob } entry)
        {
            var text = ((Blob)entry.Target).GetContentText();
            var origin = treePath.Length == 0 ? SourceIgnoreFile : treePath + "/" + SourceIgnoreFile;
            try
            {
                rules.Add(text.Split('\n'), treePath, origin);
            }
            catch (FormatException e)
            {
                throw new SourceException($"git source {display}: {e.Message}", e) { Kind = SourceErrorKind.Other };
            }
        }
    }

    /// <summary>The files to export and their digest.</summary>
    internal sealed record Selection(IReadOnlyList<ExportedFile> Files, string Digest);

    /// <summary>One file: its repository path, mode, content and (for symlinks) target.</summary>
    internal sealed record ExportedFile(string Path, Mode Mode, Blob Blob, string? LinkTarget);
}

/// <summary>What decides which files are exported.</summary>
internal sealed record ExportSettings(IReadOnlyList<string> Ignore, IReadOnlyList<string> Include, bool UseSourceIgnore)
{
    /// <summary>Returns a stable text of the settings, part of the cache key of an export.</summary>
    public string Fingerprint() =>
        $"{UseSourceIgnore}\n{string.Join('\n', Ignore)}\n--\n{string.Join('\n', Include)}";
}
