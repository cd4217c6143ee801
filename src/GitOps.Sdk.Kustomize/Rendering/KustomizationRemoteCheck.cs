using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GitOps.Sdk.Kustomize.Rendering;

/// <summary>
/// Looks through a kustomization and the local kustomizations it includes for entries Kustomize would fetch over the
/// network: remote <c>resources</c>, <c>bases</c>, <c>components</c>, <c>generators</c>, <c>transformers</c> and
/// <c>validators</c> (URLs, <c>git@…</c>, <c>host/org/repo?ref=…</c>), and <c>helmCharts</c> that name a <c>repo</c>. Runs before
/// the build so that a refusal names the file and the entry instead of a network error, and so that nothing is fetched.
/// </summary>
internal static class KustomizationRemoteCheck
{
    private const int MaxDepth = 32;
    private const long MaxFileBytes = 1024 * 1024;
    private static readonly string[] PathLists = ["resources", "bases", "components", "generators", "transformers", "validators"];

    /// <summary>Returns the first refused entry as an error, or <see langword="null"/>.</summary>
    /// <param name="directory">The kustomization's folder.</param>
    /// <param name="root">The artifact root (paths in messages are relative to it; recursion stays inside it).</param>
    /// <param name="allowRemote">Whether remote entries are allowed (only the Helm check remains).</param>
    /// <param name="helmEnabled">Whether <c>--enable-helm</c> is on.</param>
    public static ManifestError? Find(string directory, string root, bool allowRemote, bool helmEnabled)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        return Check(Path.GetFullPath(directory), Path.GetFullPath(root), allowRemote, helmEnabled, visited, 0);
    }

    private static ManifestError? Check(string directory, string root, bool allowRemote, bool helmEnabled, HashSet<string> visited, int depth)
    {
        if (depth > MaxDepth || !visited.Add(directory) || KustomizeRenderer.FindKustomization(directory) is not { } name)
        {
            return null;
        }

        var path = Path.Combine(directory, name);
        var shown = Path.GetRelativePath(root, path).Replace('\\', '/');
        if (new FileInfo(path).Length > MaxFileBytes)
        {
            return new ManifestError($"the kustomization is larger than {MaxFileBytes} bytes", shown) { Code = "kustomize-too-large" };
        }

        YamlMappingNode? top;
        try
        {
            var stream = new YamlStream();
            using var reader = new StringReader(File.ReadAllText(path));
            stream.Load(reader);
            top = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
        }
        catch (YamlException ex)
        {
            return new ManifestError($"the kustomization is not valid YAML: {ex.Message}", shown, 0, (int)ex.Start.Line, (int)ex.Start.Column) { Code = "kustomize-invalid" };
        }

        if (top is null)
        {
            return null;
        }

        foreach (var list in PathLists)
        {
            if (!top.Children.TryGetValue(new YamlScalarNode(list), out var node) || node is not YamlSequenceNode entries)
            {
                continue;
            }

            foreach (var entry in entries.Children.OfType<YamlScalarNode>())
            {
                var value = entry.Value?.Trim() ?? string.Empty;
                if (value.Length == 0)
                {
                    continue;
                }

                var local = Path.GetFullPath(Path.Combine(directory, value));
                var exists = File.Exists(local) || Directory.Exists(local);
                if (!allowRemote && IsRemote(value, exists))
                {
                    return new ManifestError(
                        $"'{list}' entry '{value}' is remote: Kustomize would fetch it over the network; keep it in the source or set KustomizeRendererOptions.AllowRemoteResources",
                        shown, 0, (int)entry.Start.Line, (int)entry.Start.Column)
                    { Code = "kustomize-remote-refused" };
                }

                var inside = local.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || local == root;
                if (inside && Directory.Exists(local) && Check(local, root, allowRemote, helmEnabled, visited, depth + 1) is { } nested)
                {
                    return nested;
                }
            }
        }

        foreach (var key in (string[])["helmCharts", "helmChartInflationGenerator"])
        {
            if (!top.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                continue;
            }

            if (!helmEnabled)
            {
                return new ManifestError($"'{key}' needs Helm chart inflation, which is off (the host enables it with KustomizeRendererOptions.EnableHelm)", shown, 0, (int)node.Start.Line, (int)node.Start.Column) { Code = "kustomize-helm-refused" };
            }

            foreach (var chart in (node as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
            {
                if (!allowRemote && chart.Children.TryGetValue(new YamlScalarNode("repo"), out var repo) && repo is YamlScalarNode { Value.Length: > 0 } url)
                {
                    return new ManifestError(
                        $"'{key}' entry pulls a chart from '{url.Value}': Kustomize would fetch it over the network; vendor the chart into the source (chartHome) or set KustomizeRendererOptions.AllowRemoteResources",
                        shown, 0, (int)repo.Start.Line, (int)repo.Start.Column)
                    { Code = "kustomize-remote-refused" };
                }
            }
        }

        return null;
    }

    /// <summary>Kustomize's own rule is loose (anything it cannot find locally it tries as a repository); this errs on the side of "remote".</summary>
    private static bool IsRemote(string value, bool existsLocally)
    {
        if (value.Contains("://", StringComparison.Ordinal) || value.StartsWith("git@", StringComparison.Ordinal) || value.StartsWith("ssh:", StringComparison.Ordinal))
        {
            return true;
        }

        if (existsLocally)
        {
            return false;
        }

        var first = value.Split('/', 2)[0];
        return value.Contains('?', StringComparison.Ordinal) || value.Contains("//", StringComparison.Ordinal)
            || (first.Contains('.', StringComparison.Ordinal) && !first.StartsWith('.') && value.Contains('/', StringComparison.Ordinal));
    }
}
