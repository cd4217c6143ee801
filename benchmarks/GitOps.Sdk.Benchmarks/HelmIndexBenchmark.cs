using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using GitOps.Sdk.Helm.Sources;
using YamlDotNet.Serialization;

namespace GitOps.Sdk.Benchmarks;

/// <summary>
/// Picking one chart's versions out of a Helm <c>index.yaml</c> with N charts × 20 versions: the baseline deserializes the
/// whole index into an object graph (what a naive client does); ours walks YamlDotNet's event stream and materializes
/// only the chart asked for.
/// </summary>
[MemoryDiagnoser]
public class HelmIndexBenchmark
{
    private string _file = string.Empty;

    /// <summary>Gets or sets the number of charts in the index (Bitnami's index has a few hundred; big mirrors thousands).</summary>
    [Params(100, 1000)]
    public int Charts { get; set; }

    /// <summary>Writes the synthetic index to a temp file.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var sb = new StringBuilder("apiVersion: v1\nentries:\n");
        for (var c = 0; c < Charts; c++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  chart-{c}:\n");
            for (var v = 0; v < 20; v++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"""
                      - apiVersion: v2
                        appVersion: "{v}.0"
                        created: "2026-01-01T00:00:00.000000000Z"
                        description: A Helm chart for Kubernetes number {c}
                        digest: {c:x32}{v:x32}
                        maintainers:
                        - email: ops@example.com
                          name: ops
                        name: chart-{c}
                        type: application
                        urls:
                        - https://charts.example.com/chart-{c}-1.{v}.0.tgz
                        version: 1.{v}.0

                    """);
            }
        }

        sb.Append("generated: \"2026-01-01T00:00:00Z\"\n");
        _file = Path.Combine(Path.GetTempPath(), $"helm-index-bench-{Charts}.yaml");
        File.WriteAllText(_file, sb.ToString());
    }

    /// <summary>Deletes the temp file.</summary>
    [GlobalCleanup]
    public void Cleanup() => File.Delete(_file);

    /// <summary>Full deserialization, then a lookup.</summary>
    /// <returns>The number of versions found.</returns>
    [Benchmark(Baseline = true)]
    public int DeserializeWholeIndex()
    {
        using var reader = new StreamReader(_file);
        var index = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize(reader)!;
        var entries = (Dictionary<object, object>)index["entries"];
        return ((List<object>)entries[$"chart-{Charts / 2}"]).Count;
    }

    /// <summary>The event-stream reader used by <see cref="HelmRepositorySourceProvider"/>.</summary>
    /// <returns>The number of versions found.</returns>
    [Benchmark]
    public int StreamOneChart()
    {
        using var reader = new StreamReader(_file);
        return HelmIndexReader.ReadChart(reader, $"chart-{Charts / 2}")!.Count;
    }
}
