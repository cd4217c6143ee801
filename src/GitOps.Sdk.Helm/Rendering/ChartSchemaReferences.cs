using System.Text.Json;

namespace GitOps.Sdk.Helm.Rendering;

/// <summary>
/// Finds references in a chart's <c>values.schema.json</c> files (the chart's and its unpacked subcharts') that Helm's
/// JSON-schema loader would resolve outside the chart: any <c>$ref</c> that is not a fragment of the same document
/// (<c>#/…</c>) — URLs are fetched over the network and relative paths are read from the host's file system — and a
/// <c>$schema</c> other than the published JSON-schema drafts, which the loader would download.
/// </summary>
internal static class ChartSchemaReferences
{
    private const int MaxDepth = 256;

    /// <summary>Returns the first reference that leaves the chart, as an error naming the file and the JSON pointer, or <see langword="null"/>.</summary>
    /// <param name="chartDir">The chart folder.</param>
    /// <param name="chartPath">The chart's path in the artifact, for messages.</param>
    public static ManifestError? FindOutsideReference(string chartDir, string chartPath)
    {
        foreach (var file in Directory.EnumerateFiles(chartDir, "values.schema.json", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, MaxRecursionDepth = 32 }).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(chartDir, file).Replace('\\', '/');
            var shown = chartPath.Length == 0 ? relative : chartPath + "/" + relative;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException ex)
            {
                return new ManifestError($"the values schema is not valid JSON: {ex.Message}", shown) { Code = "helm-schema-invalid" };
            }

            using (document)
            {
                if (Find(document.RootElement, string.Empty) is { } found)
                {
                    return new ManifestError(
                        $"the values schema has {found.Keyword} '{found.Value}' at '{found.Pointer}', which Helm would load from outside the chart (network or host files); "
                        + "use references within the document ('#/…') or set HelmRendererOptions.AllowRemoteSchemaReferences",
                        shown)
                    { Code = "helm-schema-remote-reference" };
                }
            }
        }

        return null;
    }

    private static (string Keyword, string Value, string Pointer)? Find(JsonElement element, string pointer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    var at = pointer + "/" + p.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        var value = p.Value.GetString()!;
                        if ((p.Name is "$ref" or "$dynamicRef" or "$recursiveRef") && !value.StartsWith('#'))
                        {
                            return (p.Name, value, at);
                        }

                        if (p.Name == "$schema" && !IsPublishedDraft(value))
                        {
                            return (p.Name, value, at);
                        }
                    }

                    if (Find(p.Value, at) is { } inner)
                    {
                        return inner;
                    }
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, $"{pointer}/{i++}") is { } inner)
                    {
                        return inner;
                    }
                }

                break;
        }

        return null;
    }

    /// <summary>The drafts whose meta-schemas the loader carries itself.</summary>
    private static bool IsPublishedDraft(string uri) =>
        uri.TrimEnd('#') is "http://json-schema.org/schema" or "https://json-schema.org/schema"
            or "http://json-schema.org/draft-04/schema" or "https://json-schema.org/draft-04/schema"
            or "http://json-schema.org/draft-06/schema" or "https://json-schema.org/draft-06/schema"
            or "http://json-schema.org/draft-07/schema" or "https://json-schema.org/draft-07/schema"
            or "https://json-schema.org/draft/2019-09/schema" or "https://json-schema.org/draft/2020-12/schema";
}
