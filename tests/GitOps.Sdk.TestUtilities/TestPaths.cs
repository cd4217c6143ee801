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

    /// <summary>Gets the corpus' case folders (<c>kube-live/cases/NN-*</c>), sorted.</summary>
    public static IReadOnlyList<string> KubeLiveCases =>
        [.. Directory.GetDirectories(Path.Combine(KubeLive, "cases")).Order(StringComparer.Ordinal)];

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
