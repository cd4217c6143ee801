using BenchmarkDotNet.Attributes;
using GitOps.Sdk.Diff;
using JsonDiffPatchDotNet;
using Newtonsoft.Json.Linq;

namespace GitOps.Sdk.Benchmarks.Diff;

/// <summary>
/// The realistic Deployment of the corpus (case 09) whose live image was changed by hand: the engine reports the field
/// with attribution and builds the normalized objects. Baseline: JsonDiffPatch.Net on the same documents.
/// <c>DiffEngine</c>: the same instances again (the result memo answers); <c>DiffEngine_FullWalk</c>: caches off, the
/// detect walk, the collecting walk with attribution, and the display projection.
/// </summary>
[MemoryDiagnoser]
public class ChangedDeploymentDiffBenchmark
{
    private readonly DiffEngine _engine = new();
    private readonly DiffEngine _walkOnly = new(memoize: false);
    private readonly JsonDiffPatch _jdp = new();
    private KubeObject _desired = null!;
    private KubeObject _live = null!;
    private JToken _desiredToken = null!;
    private JToken _liveToken = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_desired, var live) = DiffCorpus.Pair("09-deployment-realistic");
        _live = DiffCorpus.WithImage(live, "registry.example.com/shop/api:2.8.0");
        _desiredToken = DiffCorpus.Token(_desired);
        _liveToken = DiffCorpus.Token(_live);
        if (_engine.Diff(_desired, _live, null, DiffOptions.Default).Changes.Length != 1)
        {
            throw new InvalidOperationException("The changed Deployment must differ in exactly one field.");
        }
    }

    [Benchmark(Baseline = true)]
    public JToken JsonDiffPatch() => _jdp.Diff(_liveToken, _desiredToken);

    [Benchmark]
    public ResourceDiff DiffEngine() => _engine.Diff(_desired, _live, null, DiffOptions.Default);

    [Benchmark]
    public ResourceDiff DiffEngine_FullWalk() => _walkOnly.Diff(_desired, _live, null, DiffOptions.Default);
}
