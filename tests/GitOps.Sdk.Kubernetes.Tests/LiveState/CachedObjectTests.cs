using System.Text.Json;
using GitOps.Sdk.Kubernetes;

namespace GitOps.Sdk.Kubernetes.Tests.LiveState;

public class CachedObjectTests
{
    private static readonly RestMapping ConfigMaps = new(string.Empty, "v1", "ConfigMap", "configmaps", Namespaced: true);

    [Fact]
    public void FromElement_ListItemWithoutKind_AddsApiVersionAndKind()
    {
        using var doc = JsonDocument.Parse("{\"items\":[ {\"metadata\":{\"name\":\"a\",\"namespace\":\"prod\",\"resourceVersion\":\"12\"},\"data\":{\"k\":\"v\"}} ]}");

        var cached = CachedObject.FromElement(doc.RootElement.GetProperty("items")[0], ConfigMaps);
        var obj = cached.ToKubeObject();

        obj.ApiVersion.Should().Be("v1");
        obj.Kind.Should().Be("ConfigMap");
        obj.Key.Should().Be(new ResourceKey(string.Empty, "ConfigMap", "prod", "a"));
        obj.Json.GetProperty("data").GetProperty("k").GetString().Should().Be("v");
        cached.ResourceVersion.Should().Be("12");
    }

    [Fact]
    public void FromElement_EventObjectWithKind_KeptByteForByte()
    {
        const string Raw = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"namespace\":\"prod\"}}";
        using var doc = JsonDocument.Parse("{\"type\":\"ADDED\",\"object\":" + Raw + "}");

        var cached = CachedObject.FromElement(doc.RootElement.GetProperty("object"), ConfigMaps);

        System.Text.Encoding.UTF8.GetString(cached.Json).Should().Be(Raw);
    }

    [Fact]
    public void FromElement_SameContent_SameHash_DifferentContent_DifferentHash()
    {
        using var a = JsonDocument.Parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"1\"}}");
        using var b = JsonDocument.Parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"1\"}}");
        using var c = JsonDocument.Parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"2\"}}");

        CachedObject.FromElement(a.RootElement, ConfigMaps).Hash.Should().Be(CachedObject.FromElement(b.RootElement, ConfigMaps).Hash);
        CachedObject.FromElement(a.RootElement, ConfigMaps).Hash.Should().NotBe(CachedObject.FromElement(c.RootElement, ConfigMaps).Hash);
    }

    [Fact]
    public void FromElement_EmptyListItem_StillValidJson()
    {
        using var doc = JsonDocument.Parse("{}");

        var obj = CachedObject.FromElement(doc.RootElement, ConfigMaps).ToKubeObject();

        obj.Kind.Should().Be("ConfigMap");
    }
}
