using System.Text;

namespace GitOps.Sdk.Helm.Rendering;

/// <summary>
/// Splits <c>helm template</c> output into one YAML text per template file, using the <c># Source: chart/templates/x.yaml</c>
/// comment Helm writes at the top of every document, so that document indices and errors point at the template.
/// </summary>
internal static class HelmTemplateOutput
{
    /// <summary>The file name used for documents that carry no <c># Source:</c> comment.</summary>
    public const string UnknownSource = "(helm template output)";

    private const string SourcePrefix = "# Source: ";

    /// <summary>Splits <paramref name="output"/> into (source, YAML) chunks in output order; consecutive documents of one source share a chunk.</summary>
    /// <param name="output">The standard output of <c>helm template</c>.</param>
    /// <returns>The chunks.</returns>
    public static List<(string Source, string Yaml)> Split(string output)
    {
        var chunks = new List<(string Source, string Yaml)>();
        var document = new StringBuilder();
        string? documentSource = null;
        string? chunkSource = null;
        var chunk = new StringBuilder();

        void EndDocument()
        {
            var text = document.ToString();
            document.Clear();
            if (string.IsNullOrWhiteSpace(text))
            {
                documentSource = null;
                return;
            }

            var source = documentSource ?? UnknownSource;
            documentSource = null;
            if (chunkSource is not null && !string.Equals(chunkSource, source, StringComparison.Ordinal))
            {
                chunks.Add((chunkSource, chunk.ToString()));
                chunk.Clear();
            }

            chunkSource = source;
            chunk.Append("---\n").Append(text);
        }

        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line == "---" || line.StartsWith("--- ", StringComparison.Ordinal))
            {
                EndDocument();
                continue;
            }

            if (documentSource is null && line.StartsWith(SourcePrefix, StringComparison.Ordinal))
            {
                documentSource = line[SourcePrefix.Length..].Trim();
            }

            document.Append(line).Append('\n');
        }

        EndDocument();
        if (chunkSource is not null)
        {
            chunks.Add((chunkSource, chunk.ToString()));
        }

        return chunks;
    }

    /// <summary>
    /// Maps Helm's <c>chart/templates/x.yaml</c> to the file's path relative to the artifact root by replacing the chart
    /// name with the chart's folder (<paramref name="chartPath"/>, relative to the artifact root).
    /// </summary>
    /// <param name="source">The <c># Source:</c> path.</param>
    /// <param name="chartPath">The chart folder relative to the artifact root; empty for the root.</param>
    /// <returns>The file path users can open.</returns>
    public static string ToArtifactPath(string source, string chartPath)
    {
        if (string.Equals(source, UnknownSource, StringComparison.Ordinal))
        {
            return source;
        }

        var slash = source.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return source;
        }

        var rest = source[(slash + 1)..];
        var prefix = chartPath.Replace('\\', '/').Trim('/');
        return prefix.Length == 0 ? rest : prefix + "/" + rest;
    }
}
