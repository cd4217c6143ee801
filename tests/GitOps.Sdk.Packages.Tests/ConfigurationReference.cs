using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GitOps.Sdk.Configuration;
using GitOps.Sdk.Helm.Rendering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.Packages.Tests;

/// <summary>
/// Generates the key table of docs/configuration.md and src/GitOps.Sdk/gitops.schema.json from the key tree the engine
/// checks configuration against (<see cref="GitOpsConfigurationKeys"/>: the options types of the engine and of every
/// package), with descriptions and defaults from the XML documentation of those types.
/// </summary>
internal static partial class ConfigurationReference
{
    public const string Begin = "<!-- BEGIN generated key table: tests/GitOps.Sdk.Packages.Tests/ConfigurationReferenceTests.cs -->";
    public const string End = "<!-- END generated key table -->";

    private static readonly Lazy<Dictionary<string, XElement>> Documentation = new(LoadDocumentation);

    /// <summary>Gets the key tree of a host with every package of this repository added.</summary>
    public static KeyNode BuildTree()
    {
        var services = new ServiceCollection();
        services.AddGitOps(new ConfigurationBuilder().Build())
            .AddGitSource()
            .AddHelmRepositorySource()
            .AddOciSource()
            .AddHelmRenderer()
            .AddKustomizeRenderer()
            .AddKubernetesTarget();
        using var provider = services.BuildServiceProvider();
        var root = GitOpsConfigurationKeys.Build(provider.GetServices<GitOpsConfigurationPart>(), provider.GetServices<IRendererOptionsBinder>());

        // Keys read by the Helm renderer's binder: typed and described by the HelmRenderOptions property of that name.
        Describe(root.Children["Applications"].Entry!, typeof(HelmRenderOptions));
        return root;
    }

    private static void Describe(KeyNode node, Type rendererOptions)
    {
        foreach (var (key, child) in node.Children)
        {
            if (child.Note is not null && child.Property is null && rendererOptions.GetProperty(key) is { } property)
            {
                child.Property = property;
                if (child.Kind == KeyKind.Scalar)
                {
                    child.ValueType = property.PropertyType;
                }
            }

            Describe(child, rendererOptions);
        }
    }

    public static string Markdown(KeyNode root)
    {
        var sb = new StringBuilder();
        sb.Append(Begin).Append('\n');
        var sections = new List<(string Title, string Path, KeyNode Node, bool ScalarsOnly)>
        {
            ("Engine", "GitOps", root, true),
        };
        foreach (var (key, child) in root.Children)
        {
            if (child.Kind == KeyKind.Object || key == "Applications")
            {
                AddSections(sections, $"GitOps:{key}", child);
            }
        }

        foreach (var (title, path, node, scalarsOnly) in sections)
        {
            sb.Append('\n').Append("### ").Append(title).Append("\n\n");
            sb.Append("| Key | Type | Default | Description |\n|---|---|---|---|\n");
            foreach (var (rowPath, rowNode) in Rows(path, node, scalarsOnly))
            {
                var (summary, value) = Text(rowNode);
                sb.Append("| `").Append(rowPath).Append("` | ").Append(TypeName(rowNode)).Append(" | ")
                    .Append(Cell(value)).Append(" | ").Append(Cell(summary)).Append(" |\n");
            }
        }

        sb.Append('\n').Append(End);
        return sb.ToString();
    }

    private static void AddSections(List<(string, string, KeyNode, bool)> sections, string path, KeyNode node)
    {
        var title = path["GitOps:".Length..];
        if (node.Kind == KeyKind.Map)
        {
            sections.Add(($"{title}: `{path}:<name>`", $"{path}:<name>", node.Entry!, false));
        }
        else if (node.Children.Values.Any(c => c.Kind != KeyKind.Object))
        {
            sections.Add((title, path, node, false));
        }
        else
        {
            foreach (var (key, child) in node.Children)
            {
                AddSections(sections, $"{path}:{key}", child);
            }
        }
    }

    private static IEnumerable<(string Path, KeyNode Node)> Rows(string path, KeyNode node, bool scalarsOnly)
    {
        foreach (var (key, child) in node.Children)
        {
            var childPath = $"{path}:{key}";
            if (scalarsOnly && (child.Kind == KeyKind.Object || key == "Applications"))
            {
                continue;
            }

            switch (child.Kind)
            {
                case KeyKind.Scalar:
                    yield return (childPath, child);
                    break;
                case KeyKind.Object:
                    if (child.AlsoScalar || child.Property is not null)
                    {
                        yield return (childPath, child);
                    }

                    foreach (var row in Rows(childPath, child, false))
                    {
                        yield return row;
                    }

                    break;
                default:
                    var placeholder = child.Kind == KeyKind.List ? "<n>" : "<name>";
                    if (child.Entry!.Kind == KeyKind.Scalar)
                    {
                        yield return ($"{childPath}:{placeholder}", child);
                    }
                    else
                    {
                        yield return ($"{childPath}:{placeholder}", child);
                        foreach (var row in Rows($"{childPath}:{placeholder}", child.Entry, false))
                        {
                            yield return row;
                        }
                    }

                    break;
            }
        }
    }

    private static string TypeName(KeyNode node) => node.Kind switch
    {
        KeyKind.Scalar => ScalarName(node.ValueType),
        KeyKind.List => $"list of {(node.Entry!.Kind == KeyKind.Scalar ? ScalarName(node.Entry.ValueType) : "objects")}",
        KeyKind.Map => $"map of {(node.Entry!.Kind == KeyKind.Scalar ? ScalarName(node.Entry.ValueType) : "objects")}",
        _ => node.AlsoScalar ? "string or object" : "object",
    };

    private static string ScalarName(Type? type)
    {
        var t = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return t switch
        {
            null => "value",
            _ when t == typeof(string) => "string",
            _ when t == typeof(bool) => "true/false",
            _ when t == typeof(int) || t == typeof(long) => "whole number",
            _ when t == typeof(double) => "number",
            _ when t == typeof(TimeSpan) => "duration",
            _ when t.IsEnum => string.Join(" \\| ", Enum.GetNames(t).Select(n => $"`{n}`")),
            _ => t.Name,
        };
    }

    private static string Cell(string? text) =>
        string.IsNullOrEmpty(text) ? string.Empty : text.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>The key's description and default, from the property's XML documentation (or the key's note).</summary>
    public static (string Summary, string? Default) Text(KeyNode node)
    {
        var summary = node.Note ?? string.Empty;
        string? value = null;
        if (node.Property is { } property && Documentation.Value.TryGetValue($"P:{Name(property.DeclaringType!)}.{property.Name}", out var member)
            && member.Element("summary") is { } documented)
        {
            var element = new XElement(documented);
            var valueElement = element.Element("value") ?? member.Element("value");
            value = valueElement is null ? null : Render(valueElement);
            element.Element("value")?.Remove();
            var text = Render(element);
            summary = node.Note is null ? Sentence(text) : $"{node.Note} {Sentence(text)}";
        }

        if (value is not null)
        {
            value = DefaultPrefix().Replace(value, string.Empty).TrimEnd('.');
        }

        return (summary.Trim(), value);
    }

    private static string Name(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static string Sentence(string text)
    {
        text = GetsPrefix().Replace(text, string.Empty);
        text = WhetherPrefix().Replace(text, "whether ");
        return text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
    }

    private static string Render(XElement element)
    {
        var sb = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText text:
                    sb.Append(text.Value);
                    break;
                case XElement e when e.Name == "c" || e.Name == "code":
                    sb.Append('`').Append(e.Value).Append('`');
                    break;
                case XElement e when e.Name == "see" || e.Name == "seealso":
                    sb.Append(e.Attribute("langword")?.Value is { } word ? $"`{word}`" : e.Nodes().Any() ? Render(e) : $"`{Short(e.Attribute("cref")?.Value)}`");
                    break;
                case XElement e when e.Name == "paramref" || e.Name == "typeparamref":
                    sb.Append('`').Append(e.Attribute("name")?.Value).Append('`');
                    break;
                case XElement e:
                    sb.Append(' ').Append(Render(e)).Append(' ');
                    break;
            }
        }

        return Whitespace().Replace(sb.ToString(), " ").Trim();
    }

    private static string Short(string? cref)
    {
        if (cref is null)
        {
            return string.Empty;
        }

        var name = cref[(cref.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0)
        {
            name = name[..paren];
        }

        var parts = name.Split('.');
        return cref.StartsWith("T:", StringComparison.Ordinal) || parts.Length < 2 ? parts[^1] : $"{parts[^2]}.{parts[^1]}";
    }

    private static Dictionary<string, XElement> LoadDocumentation()
    {
        var members = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var (_, assembly) in ShippedAssemblies.All)
        {
            var file = Path.ChangeExtension(assembly.Location, ".xml");
            File.Exists(file).Should().BeTrue($"the XML documentation of {assembly.GetName().Name} is copied next to it ({file})");
            foreach (var member in XDocument.Load(file).Descendants("member"))
            {
                members[member.Attribute("name")!.Value] = member;
            }
        }

        return members;
    }

    public static string Schema(KeyNode root)
    {
        var gitops = Node(root, null);
        gitops["description"] = "GitOps.Sdk: the engine, its applications and the packages added to it (docs/configuration.md).";
        var schema = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["$id"] = "https://example.invalid/gitops-sdk/gitops.schema.json",
            ["title"] = "GitOps.Sdk configuration in appsettings.json",
            ["description"] = "The GitOps section of appsettings.json. Generated from the options types (docs/configuration.md); keys are matched with their case, while configuration itself ignores case.",
            ["type"] = "object",
            ["properties"] = new JsonObject { ["GitOps"] = gitops },
        };
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return schema.ToJsonString(options).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static JsonObject Node(KeyNode node, KeyNode? documented)
    {
        JsonObject result;
        switch (node.Kind)
        {
            case KeyKind.Scalar:
                result = Scalar(node.ValueType);
                break;
            case KeyKind.List:
                result = new JsonObject { ["type"] = "array", ["items"] = Node(node.Entry!, null) };
                break;
            case KeyKind.Map:
                result = new JsonObject { ["type"] = "object", ["additionalProperties"] = Node(node.Entry!, null) };
                break;
            default:
                var properties = new JsonObject();
                foreach (var (key, child) in node.Children)
                {
                    properties[key] = Node(child, child);
                }

                result = new JsonObject
                {
                    ["type"] = node.AlsoScalar ? new JsonArray("object", "string") : "object",
                    ["properties"] = properties,
                    ["additionalProperties"] = node.Open,
                };
                break;
        }

        if (documented is not null)
        {
            var (summary, value) = Text(documented);
            var description = value is null ? summary : $"{summary} Default: {value}.";
            if (description.Length > 0)
            {
                var ordered = new JsonObject { ["description"] = description };
                foreach (var (k, v) in result.ToList())
                {
                    result.Remove(k);
                    ordered[k] = v;
                }

                result = ordered;
            }
        }

        return result;
    }

    private static JsonObject Scalar(Type? type)
    {
        var t = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return t switch
        {
            null => new JsonObject { ["type"] = new JsonArray("string", "boolean", "number", "null") },
            _ when t == typeof(string) => new JsonObject { ["type"] = new JsonArray("string", "null") },
            _ when t == typeof(bool) => new JsonObject { ["type"] = new JsonArray("boolean", "string", "null"), ["pattern"] = "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$" },
            _ when t == typeof(int) || t == typeof(long) => new JsonObject { ["type"] = new JsonArray("integer", "string", "null"), ["pattern"] = "^-?[0-9]+$" },
            _ when t == typeof(double) => new JsonObject { ["type"] = new JsonArray("number", "string", "null"), ["pattern"] = "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$" },
            _ when t == typeof(TimeSpan) => new JsonObject
            {
                ["type"] = new JsonArray("string", "null"),
                ["pattern"] = "^(([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+|-?([0-9]+\\.)?[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,7})?)?|[0-9]+)$",
            },
            _ when t.IsEnum => new JsonObject { ["enum"] = new JsonArray([.. Enum.GetNames(t).Select(n => (JsonNode)n!), null]) },
            _ => new JsonObject(),
        };
    }

    [GeneratedRegex(@"^\s*Default:\s*", RegexOptions.IgnoreCase)]
    private static partial Regex DefaultPrefix();

    [GeneratedRegex(@"^(Gets or sets|Gets|Sets)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex GetsPrefix();

    [GeneratedRegex(@"^a value indicating whether\s*", RegexOptions.IgnoreCase)]
    private static partial Regex WhetherPrefix();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
