namespace GitOps.Sdk.Abstractions.Tests;

public sealed class KubeObjectTests
{
    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"shop","labels":{"app":"web","tier":"front"},"annotations":{"note":"x"}},
         "spec":{"replicas":2}}
        """;

    [Fact]
    public void Parse_Deployment_Accessors()
    {
        var obj = KubeObject.Parse(Deployment, new ObjectOrigin("apps/web.yaml", 1, 4, 1));

        obj.ApiVersion.Should().Be("apps/v1");
        obj.Group.Should().Be("apps");
        obj.Version.Should().Be("v1");
        obj.Kind.Should().Be("Deployment");
        obj.Name.Should().Be("web");
        obj.Namespace.Should().Be("shop");
        obj.Key.Should().Be(new ResourceKey("apps", "Deployment", "shop", "web"));
        obj.Labels.Should().BeEquivalentTo(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" });
        obj.GetLabel("app").Should().Be("web");
        obj.GetLabel("missing").Should().BeNull();
        obj.GetAnnotation("note").Should().Be("x");
        obj.Json.GetProperty("spec").GetProperty("replicas").GetInt32().Should().Be(2);
        obj.Origin!.ToString().Should().Be("apps/web.yaml#1 (4:1)");
        obj.IsSecret.Should().BeFalse();
    }

    [Fact]
    public void Parse_ClusterScopedWithoutLabels_EmptyDefaults()
    {
        var obj = KubeObject.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");

        obj.Namespace.Should().BeEmpty();
        obj.Labels.Should().BeEmpty();
        obj.Annotations.Should().BeEmpty();
        obj.Origin.Should().BeNull();
        obj.Key.ToString().Should().Be("/Namespace//shop");
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("""{"kind":"ConfigMap"}""")]
    [InlineData("""{"apiVersion":"v1"}""")]
    [InlineData("{not json")]
    public void Parse_NotAnObject_Throws(string json)
    {
        var act = () => KubeObject.Parse(json);

        act.Should().Throw<FormatException>();
    }

    [Fact]
    public void ContentHash_StableUnderKeyOrderAndWhitespace()
    {
        var a = KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1","b":"2"}},"data":{"x":"y"}}""");
        var b = KubeObject.Parse("""
            {
              "data": { "x": "y" },
              "metadata": { "labels": { "b": "2", "a": "1" }, "name": "c" },
              "kind": "ConfigMap",
              "apiVersion": "v1"
            }
            """);

        b.ContentHash.Should().Be(a.ContentHash);
        b.ContentHash.Should().MatchRegex("^[0-9a-f]{64}$");
        b.Should().Be(a);
        b.GetHashCode().Should().Be(a.GetHashCode());
    }

    [Fact]
    public void ContentHash_DiffersForDifferentValuesAndArrayOrder()
    {
        var a = KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"l":[1,2]}""");
        var b = KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"l":[2,1]}""");
        var c = KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"l":[1,"2"]}""");

        a.ContentHash.Should().NotBe(b.ContentHash);
        a.ContentHash.Should().NotBe(c.ContentHash);
        a.Should().NotBe(b);
    }

    [Fact]
    public void With_EditsACopy_OriginalUnchanged()
    {
        var origin = new ObjectOrigin("f.yaml", 0, 1, 1);
        var obj = KubeObject.Parse(Deployment, origin);

        var changed = obj.With(node => node["spec"]!["replicas"] = 5);

        changed.Json.GetProperty("spec").GetProperty("replicas").GetInt32().Should().Be(5);
        obj.Json.GetProperty("spec").GetProperty("replicas").GetInt32().Should().Be(2);
        changed.Origin.Should().Be(origin);
        changed.Should().NotBe(obj);
    }

    [Fact]
    public void WithOrigin_SameContentNewOrigin()
    {
        var obj = KubeObject.Parse(Deployment);

        var moved = obj.WithOrigin(new ObjectOrigin("x.yaml", 2));

        moved.Origin!.ToString().Should().Be("x.yaml#2");
        moved.Should().Be(obj);
    }

    [Fact]
    public void FromElement_CopiesTheElement()
    {
        var obj = KubeObject.Parse(Deployment);

        var copy = KubeObject.FromElement(obj.Json);

        copy.Should().Be(obj);
        copy.Key.Should().Be(obj.Key);
    }

    [Fact]
    public void ToString_Secret_PrintsOnlyTheKey()
    {
        var secret = KubeObject.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"},"stringData":{"password":"hunter2"}}""");

        secret.IsSecret.Should().BeTrue();
        secret.ToString().Should().Be("/Secret/shop/db");
        $"{secret}".Should().NotContain("hunter2");
    }

    [Fact]
    public void ToJsonString_ReturnsTextAsGiven()
    {
        const string json = """{"apiVersion":"v1", "kind":"ConfigMap","metadata":{"name":"c"}}""";

        KubeObject.Parse(json).ToJsonString().Should().Be(json);
    }
}
