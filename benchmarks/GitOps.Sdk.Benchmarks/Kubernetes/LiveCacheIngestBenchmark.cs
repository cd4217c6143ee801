using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Benchmarks.Kubernetes;

/// <summary>
/// Filling a live-state cache from a list response of N realistic Deployments (recorded case 09, managedFields
/// included). The baseline keeps a parsed <see cref="KubeObject"/> (a JsonDocument) per object, as a naive cache
/// would; ours keeps each object's raw UTF-8 bytes with a 64-bit hash and parses only on read.
/// </summary>
[MemoryDiagnoser]
public class LiveCacheIngestBenchmark
{
    private static readonly RestMapping Deployments = new("apps", "v1", "Deployment", "deployments", Namespaced: true);
    private byte[] _list = [];

    /// <summary>Gets or sets the number of objects in the list.</summary>
    [Params(100, 1000)]
    public int Objects { get; set; }

    /// <summary>Builds the list body from the recorded Deployment.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var item = File.ReadAllText(Path.Combine(TestPaths.KubeLive, "cases", "09-deployment-realistic", "live.json"));
        var sb = new StringBuilder("{\"kind\":\"DeploymentList\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"resourceVersion\":\"99\"},\"items\":[");
        for (var i = 0; i < Objects; i++)
        {
            sb.Append(i == 0 ? string.Empty : ",").Append(item.Replace("\"name\": \"shop-api\"", $"\"name\": \"shop-api-{i}\"", StringComparison.Ordinal));
        }

        _list = Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }

    /// <summary>Parsed trees: one KubeObject per item.</summary>
    /// <returns>The cache.</returns>
    [Benchmark(Baseline = true)]
    public Dictionary<ResourceKey, KubeObject> ParsedObjects()
    {
        var cache = new Dictionary<ResourceKey, KubeObject>(Objects);
        using var doc = JsonDocument.Parse(_list);
        foreach (var item in doc.RootElement.GetProperty("items").EnumerateArray())
        {
            var obj = KubeObject.FromElement(item);
            cache[obj.Key] = obj;
        }

        return cache;
    }

    /// <summary>Raw bytes and a hash per item (what <see cref="KubernetesLiveState"/> keeps).</summary>
    /// <returns>The cache.</returns>
    [Benchmark]
    public Dictionary<ResourceKey, object> RawBytes()
    {
        var cache = new Dictionary<ResourceKey, object>(Objects);
        using var doc = JsonDocument.Parse(_list);
        foreach (var item in doc.RootElement.GetProperty("items").EnumerateArray())
        {
            var cached = CachedObject.FromElement(item, Deployments);
            cache[cached.Key] = cached;
        }

        return cache;
    }
}
