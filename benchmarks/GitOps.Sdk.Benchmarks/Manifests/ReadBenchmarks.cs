using BenchmarkDotNet.Attributes;
using GitOps.Sdk.Manifests;
using GitOps.Sdk.TestUtilities;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace GitOps.Sdk.Benchmarks.Manifests;

/// <summary>
/// Reading the realistic Deployment of kube-live case 09, repeated <see cref="Documents"/> times in one stream. The
/// baseline is YamlDotNet's plain deserializer to an object graph (no typing rules, no JSON, no checks); ours produces
/// checked, kubectl-typed <see cref="KubeObject"/>s with origins.
/// </summary>
[MemoryDiagnoser]
public class ReadBenchmarks
{
    private readonly ManifestReader _reader = new();
    private readonly IDeserializer _deserializer = new DeserializerBuilder().Build();
    private string _stream = string.Empty;

    /// <summary>Gets or sets the number of documents in the stream.</summary>
    [Params(1, 50)]
    public int Documents { get; set; }

    /// <summary>Builds the stream from the corpus file.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.KubeLive, "cases", "09-deployment-realistic", "desired.yaml"));
        _stream = string.Join("---\n", Enumerable.Repeat(text, Documents));
    }

    /// <summary>YamlDotNet's deserializer to dictionaries and lists, one document at a time.</summary>
    /// <returns>The number of documents read.</returns>
    [Benchmark(Baseline = true)]
    public int YamlDotNetDeserialize()
    {
        var parser = new Parser(new StringReader(_stream));
        parser.Consume<StreamStart>();
        var count = 0;
        while (parser.Accept<DocumentStart>(out _))
        {
            _ = _deserializer.Deserialize<object>(parser);
            count++;
        }

        return count;
    }

    /// <summary>The manifest reader: resolved scalars, limits, checks, JSON-backed objects.</summary>
    /// <returns>The number of objects read.</returns>
    [Benchmark]
    public int ManifestReaderRead() => _reader.Read(_stream, "desired.yaml").Objects.Length;
}
