
namespace GitOps.Sdk.Helm.Rendering;

/// <content>What an application may hand to helm: the allowed and refused flags, and value files kept inside the artifact.</content>
public sealed partial class HelmRenderer
{
    /// <summary>Flags nobody may pass: they reach the network or a cluster, or run other programs.</summary>
    private static readonly string[] RefusedArguments =
        ["--repo", "--dependency-update", "--dep-up", "--post-renderer", "--post-renderer-args", "--validate", "--kubeconfig", "--kube-context", "--enable-dns"];

    /// <summary>
    /// Flags an application may pass in <see cref="RenderOptions.ExtraArguments"/>: they shape values and output only. Others
    /// (<c>--set-file</c>, <c>--values</c>, <c>--output-dir</c>, …) could read or write files of the host and are refused.
    /// </summary>
    private static readonly string[] ApplicationArguments =
        ["--set", "--set-string", "--set-json", "--set-literal", "--skip-tests", "--skip-crds", "--no-hooks", "--is-upgrade", "--skip-schema-validation", "--disable-openapi-validation", "--show-only", "-s"];

    private static ManifestError? CheckArguments(IEnumerable<string> hostArguments, IEnumerable<string> applicationArguments)
    {
        foreach (var argument in hostArguments)
        {
            var flag = argument.Split('=', 2)[0];
            if (RefusedArguments.Contains(flag, StringComparer.Ordinal))
            {
                return new ManifestError($"the helm argument '{flag}' is not allowed: rendering runs offline and without plug-ins") { Code = "helm-argument-refused" };
            }
        }

        var previousTakesValue = false;
        foreach (var argument in applicationArguments)
        {
            if (!argument.StartsWith('-'))
            {
                if (previousTakesValue)
                {
                    previousTakesValue = false;
                    continue;
                }

                return new ManifestError($"the helm argument '{argument}' is not allowed here") { Code = "helm-argument-refused" };
            }

            var parts = argument.Split('=', 2);
            if (!ApplicationArguments.Contains(parts[0], StringComparer.Ordinal))
            {
                return new ManifestError(
                    $"the helm argument '{parts[0]}' is not allowed in an application's arguments (allowed: {string.Join(", ", ApplicationArguments)}); "
                    + "rendering runs offline and reads files only from the artifact")
                { Code = "helm-argument-refused" };
            }

            previousTakesValue = parts.Length == 1 && parts[0] is not ("--skip-tests" or "--skip-crds" or "--no-hooks" or "--is-upgrade" or "--skip-schema-validation" or "--disable-openapi-validation");
        }

        return null;
    }

    private static string? ResolveValueFile(SourceArtifact artifact, string valueFile, out ManifestError? error)
    {
        error = null;
        var root = Path.GetFullPath(artifact.RootDirectory);
        var full = Path.GetFullPath(Path.Combine(artifact.ContentDirectory, valueFile));
        if (!IsInside(root, full))
        {
            error = new ManifestError($"the values file '{valueFile}' is outside the artifact; value files must come from the source", valueFile) { Code = "values-outside-artifact" };
            return null;
        }

        var info = new FileInfo(full);
        if (!info.Exists)
        {
            error = new ManifestError($"the values file '{valueFile}' does not exist in the artifact", valueFile) { Code = "values-not-found" };
            return null;
        }

        if (info.LinkTarget is not null)
        {
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !IsInside(root, Path.GetFullPath(target.FullName)))
            {
                error = new ManifestError($"the values file '{valueFile}' is a link that leads outside the artifact", valueFile) { Code = "values-outside-artifact" };
                return null;
            }
        }

        return full;
    }

    private static bool IsInside(string root, string path)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal);
    }
}
