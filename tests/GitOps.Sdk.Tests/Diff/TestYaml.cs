using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GitOps.Sdk.Tests.Diff;

/// <summary>Loads YAML test inputs as Kubernetes objects (temporary, until the manifest reader lands on main).</summary>
internal static class TestYaml
{
    public static IReadOnlyList<KubeObject> LoadAll(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(new StringReader(yaml))));
        return [.. stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => KubeObject.FromNode((JsonObject)ToJson(d.RootNode)!))];
    }

    public static KubeObject Load(string yaml) => LoadAll(yaml).Single();

    public static KubeObject LoadFile(string path) => Load(File.ReadAllText(path));

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && value.Any(char.IsDigit) && !value.Contains('_'))
        {
            return JsonNode.Parse(value.StartsWith('.') ? "0" + value : value) ?? JsonValue.Create(d);
        }

        return JsonValue.Create(value);
    }
}
