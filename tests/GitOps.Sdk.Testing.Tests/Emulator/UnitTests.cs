using GitOps.Sdk.Testing.Emulator;

namespace GitOps.Sdk.Testing.Tests.Emulator;

public sealed class QuantityTests
{
    [Theory]
    [InlineData("0.5", "500m")]
    [InlineData("500m", "500m")]
    [InlineData("1000m", "1")]
    [InlineData("1.5", "1500m")]
    [InlineData("2000", "2k")]
    [InlineData("1500", "1500")]
    [InlineData("1G", "1G")]
    [InlineData("1024Mi", "1Gi")]
    [InlineData("1.5Gi", "1536Mi")]
    [InlineData("256Mi", "256Mi")]
    [InlineData("0", "0")]
    [InlineData("4", "4")]
    [InlineData("100Mi", "100Mi")]
    [InlineData("1e3", "1e3")]
    [InlineData("not-a-quantity", "not-a-quantity")]
    public void Canonicalize_Quantity_MatchesTheApiServer(string input, string expected) =>
        Quantity.Canonicalize(input).Should().Be(expected);
}

public sealed class SelectorTests
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal) { ["app"] = "web", ["tier"] = "front" };

    [Theory]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app!=web", false)]
    [InlineData("app in (web,api)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("tier", true)]
    [InlineData("!tier", false)]
    [InlineData("!missing,app=web", true)]
    [InlineData("app=web,tier in (back)", false)]
    [InlineData("", true)]
    public void LabelSelector_Matches_LikeKubernetes(string selector, bool expected) =>
        LabelSelector.Parse(selector).Matches(Labels).Should().Be(expected);
}

public sealed class YamlJsonTests
{
    [Fact]
    public void Parse_PlainScalars_ResolveLikeTheApiServersYamlDecoder()
    {
        var node = YamlJson.Parse("a: yes\nb: \"yes\"\nc: 0755\nd: 1e3\ne: ~\nf: 0x1F\ng: 1.10\nh: '2'\n")!;
        node["a"]!.GetValue<bool>().Should().BeTrue();
        node["b"]!.GetValue<string>().Should().Be("yes");
        JsonValues.Long(node["c"]).Should().Be(493);
        node["d"]!.GetValue<double>().Should().Be(1000);
        node["e"].Should().BeNull();
        JsonValues.Long(node["f"]).Should().Be(31);
        node["g"]!.GetValue<double>().Should().Be(1.1);
        node["h"]!.GetValue<string>().Should().Be("2");
    }

    [Fact]
    public void Parse_AnchorsAliasesAndMergeKeys_AreResolved()
    {
        var node = YamlJson.Parse("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n")!;
        JsonValues.Long(node["derived"]!["x"]).Should().Be(1);
        JsonValues.Long(node["derived"]!["y"]).Should().Be(3);
    }
}

public sealed class PrinterColumnPathTests
{
    private static readonly System.Text.Json.Nodes.JsonObject Resource = System.Text.Json.Nodes.JsonNode.Parse("""
        {"status":{"lastAppliedRevision":"main@sha1:abc","conditions":[{"type":"Reconciling","status":"False"},{"type":"Ready","status":"True","reason":"ReconciliationSucceeded"}]}}
        """)!.AsObject();

    [Theory]
    [InlineData(".status.lastAppliedRevision", "main@sha1:abc")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "True")]
    [InlineData(".status.conditions[?(@.type=='Ready')].reason", "ReconciliationSucceeded")]
    [InlineData(".status.conditions[0].type", "Reconciling")]
    [InlineData(".status.conditions[?(@.type==\"Stalled\")].status", null)]
    [InlineData(".status.conditions[5].type", null)]
    [InlineData(".spec.missing", null)]
    public void Eval_JsonPathOfAPrinterColumn_SelectsLikeTheApiServer(string path, string? expected) =>
        (Tables.Eval(Resource, path)?.ToString()).Should().Be(expected);
}
