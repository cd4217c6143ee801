using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitOps.Sdk.Rendering.Tools;

namespace GitOps.Sdk.Helm.Rendering;

/// <content>Running helm: the isolated environment, the scratch folder, and turning its error output into errors that name the template.</content>
public sealed partial class HelmRenderer
{
    private static ManifestError ToError(ToolResult result, string chartPath, string chartFile)
    {
        var stderr = ExternalTool.TrimError(result.StandardError);
        if (stderr.Length == 0)
        {
            stderr = "(no error output)";
        }

        if (stderr.Contains("helm dependency build", StringComparison.Ordinal) || stderr.Contains("missing in charts/ directory", StringComparison.Ordinal))
        {
            return new ManifestError(
                $"helm template failed (exit {result.ExitCode}): the chart's dependencies are not in its charts/ folder; rendering never downloads, so vendor them (helm dependency build) into the source: {stderr}",
                chartFile)
            { Code = "helm-missing-dependencies" };
        }

        // "execution error at (chart/templates/x.yaml:3:4): ..." and "parse error at (chart/templates/x.yaml:3): ..."
        var match = TemplatePosition().Match(stderr);
        if (match.Success)
        {
            var file = HelmTemplateOutput.ToArtifactPath(match.Groups["file"].Value, chartPath);
            var line = int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture);
            var column = match.Groups["column"].Success ? int.Parse(match.Groups["column"].Value, CultureInfo.InvariantCulture) : 0;
            return new ManifestError($"helm template failed (exit {result.ExitCode}): {stderr}", file, -1, line, column) { Code = "helm-template-failed" };
        }

        return new ManifestError($"helm template failed (exit {result.ExitCode}): {stderr}", chartFile) { Code = "helm-template-failed" };
    }

    private static Dictionary<string, string?> HelmEnvironment(string scratch)
    {
        var kubeconfig = Path.Combine(scratch, "kubeconfig");
        File.WriteAllText(kubeconfig, string.Empty);
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["HELM_CACHE_HOME"] = Path.Combine(scratch, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(scratch, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(scratch, "data"),
            ["HELM_PLUGINS"] = Path.Combine(scratch, "plugins"),
            ["HELM_REGISTRY_CONFIG"] = Path.Combine(scratch, "config", "registry.json"),
            ["HELM_REPOSITORY_CONFIG"] = Path.Combine(scratch, "config", "repositories.yaml"),
            ["HELM_REPOSITORY_CACHE"] = Path.Combine(scratch, "cache", "repository"),
            ["KUBECONFIG"] = kubeconfig,
            ["NO_COLOR"] = "1",
            ["HELM_DEBUG"] = null,
            ["HELM_NAMESPACE"] = null,
            ["HELM_KUBECONTEXT"] = null,
            ["HELM_POST_RENDERER"] = null,
        };
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder left behind is harmless; the next run uses a new one.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static KubeObject MarkHook(KubeObject obj, string hook) => obj.With(node =>
    {
        if (node["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            node["metadata"] = metadata;
        }

        if (metadata["annotations"] is not JsonObject annotations)
        {
            annotations = [];
            metadata["annotations"] = annotations;
        }

        annotations[WellKnown.HelmHookAnnotation] = hook;
    });

    [GeneratedRegex(@"at \((?<file>[^():\s]+):(?<line>\d+)(?::(?<column>\d+))?\)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TemplatePosition();
}
