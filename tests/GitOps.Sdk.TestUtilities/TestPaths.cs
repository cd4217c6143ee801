using Xunit;

namespace GitOps.Sdk.TestUtilities;

/// <summary>Well-known locations: the repository root, the recorded real-server corpus, the tools the set-up script installs.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>Gets the repository root (the folder holding <c>GitOps.Sdk.sln</c>).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>
    /// Gets the recorded real-server corpus, <c>tests/testdata/kube-live</c> inside the repository. The project owns
    /// this copy; nothing outside the repository is read by any build or test.
    /// </summary>
    public static string KubeLive => Path.Combine(RepositoryRoot, "tests", "testdata", "kube-live");

    /// <summary>
    /// Gets the corpus' case folders (<c>kube-live/cases/NN-*</c>), sorted. Throws when the folder is missing or holds
    /// no case, so a theory fed from it cannot pass on zero cases.
    /// </summary>
    public static IReadOnlyList<string> KubeLiveCases =>
        [.. RequireEntries(Path.Combine(KubeLive, "cases"), dir => Directory.GetDirectories(dir), "case folders").Order(StringComparer.Ordinal)];

    /// <summary>Gets the corpus' case names (<c>NN-*</c>), sorted; throws like <see cref="KubeLiveCases"/>.</summary>
    public static IReadOnlyList<string> KubeLiveCaseNames => [.. KubeLiveCases.Select(c => Path.GetFileName(c))];

    /// <summary>Returns the path of a file of a corpus case; throws when the file is not there.</summary>
    /// <param name="caseName">The case folder name, e.g. <c>09-deployment-realistic</c>.</param>
    /// <param name="file">The file name, e.g. <c>live.json</c>.</param>
    /// <returns>The full path of an existing file.</returns>
    public static string KubeLiveCaseFile(string caseName, string file) => RequireFile(Path.Combine(KubeLive, "cases", caseName, file));

    /// <summary>
    /// Returns the recorded files of one case whose names match <paramref name="pattern"/> (e.g. <c>*.json</c>), sorted,
    /// as they are on disk: nothing is silently skipped. Throws when none matches.
    /// </summary>
    /// <param name="caseName">The case folder name.</param>
    /// <param name="pattern">A file-name pattern.</param>
    /// <returns>The full paths.</returns>
    public static IReadOnlyList<string> KubeLiveCaseFiles(string caseName, string pattern) =>
        [.. RequireEntries(Path.Combine(KubeLive, "cases", caseName), dir => Directory.GetFiles(dir, pattern), pattern + " files").Order(StringComparer.Ordinal)];

    /// <summary>Returns the files of a folder of the corpus matching a pattern, sorted; throws when the folder is missing or has none.</summary>
    /// <param name="relativeFolder">A folder relative to <see cref="KubeLive"/>, e.g. <c>wire/discovery</c>.</param>
    /// <param name="pattern">A file-name pattern.</param>
    /// <returns>The full paths.</returns>
    public static IReadOnlyList<string> KubeLiveFiles(string relativeFolder, string pattern) =>
        [.. RequireEntries(Path.Combine(KubeLive, relativeFolder), dir => Directory.GetFiles(dir, pattern), pattern + " files").Order(StringComparer.Ordinal)];

    /// <summary>Returns <paramref name="path"/> when the file exists; otherwise throws, naming it.</summary>
    /// <param name="path">A file path.</param>
    /// <returns><paramref name="path"/>.</returns>
    public static string RequireFile(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Test data file '{path}' is missing: the repository's copy of the corpus is incomplete.", path);

    /// <summary>
    /// Turns test cases into theory data, throwing when there are none: a data-driven theory must never pass on zero cases.
    /// </summary>
    /// <param name="cases">The cases.</param>
    /// <param name="source">What the cases come from, for the message.</param>
    /// <returns>The theory data.</returns>
    public static TheoryData<string> NonEmptyTheoryData(IEnumerable<string> cases, string source)
    {
        var data = new TheoryData<string>();
        foreach (var c in cases)
        {
            data.Add(c);
        }

        return data.Count > 0 ? data : throw new InvalidOperationException($"No test cases found in {source}: a theory must not pass on zero cases.");
    }

    /// <summary>Gets the folder where <c>eng/install-test-deps.sh</c> puts helm and kubectl.</summary>
    public static string ToolsBin => Path.Combine(RepositoryRoot, ".tools", "bin");

    /// <summary>Returns the path of a tool: <c>.tools/bin/&lt;name&gt;</c> if present, else the first match on PATH, else <see langword="null"/>.</summary>
    /// <param name="name">The executable name, e.g. <c>helm</c>.</param>
    /// <returns>The full path, or <see langword="null"/>.</returns>
    public static string? FindTool(string name)
    {
        var local = Path.Combine(ToolsBin, name);
        if (File.Exists(local))
        {
            return local;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Returns the path of a tool or fails the test with a message saying how to install it.</summary>
    /// <param name="name">The executable name.</param>
    /// <returns>The full path.</returns>
    public static string RequireTool(string name) =>
        FindTool(name) ?? throw new InvalidOperationException(
            $"'{name}' is not installed. Run eng/install-test-deps.sh (the README's test command does).");

    private static string[] RequireEntries(string dir, Func<string, string[]> list, string what)
    {
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"Test data folder '{dir}' is missing: the corpus is vendored in the repository under tests/testdata.");
        }

        var entries = list(dir);
        return entries.Length > 0 ? entries : throw new InvalidOperationException($"Test data folder '{dir}' holds no {what}: a data-driven test must not pass on zero cases.");
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GitOps.Sdk.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("GitOps.Sdk.sln not found above " + AppContext.BaseDirectory);
    }
}
