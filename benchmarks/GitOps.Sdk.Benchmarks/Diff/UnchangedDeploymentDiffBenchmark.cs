using BenchmarkDotNet.Attributes;
using GitOps.Sdk.Diff;
using JsonDiffPatchDotNet;
using Newtonsoft.Json.Linq;

namespace GitOps.Sdk.Benchmarks.Diff;

/// <summary>
/// The hot path: the realistic Deployment of the corpus (case 09) against its live object, unchanged.
/// Baseline: JsonDiffPatch.Net on the same pair of documents (it reports every server default as a difference).
/// <c>DiffEngine</c> is the public engine on the same instances again (a reconcile that sees the same watch-cache
/// object: the result memo answers); <c>DiffEngine_NewLiveObject</c> is a new live object whose compared bytes equal
/// one already found unchanged (a watch event that moved only status: byte comparison, no walk);
/// <c>DiffEngine_FullWalk</c> walks desired against live with every cache off (first sight of an object).
/// </summary>
[MemoryDiagnoser]
public class UnchangedDeploymentDiffBenchmark
{
    private readonly DiffEngine _engine = new();
    private readonly DiffEngine _fingerprintOnly = new(memoize: false, fingerprints: true);
    private readonly DiffEngine _walkOnly = new(memoize: false);
    private readonly JsonDiffPatch _jdp = new();
    private KubeObject _desired = null!;
    private KubeObject _live = null!;
    private JToken _desiredToken = null!;
    private JToken _liveToken = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_desired, _live) = DiffCorpus.Pair("09-deployment-realistic");
        _desiredToken = DiffCorpus.Token(_desired);
        _liveToken = DiffCorpus.Token(_live);
        if (_engine.Diff(_desired, _live, null, DiffOptions.Default).HasDrift)
        {
            throw new InvalidOperationException("Case 09 must be unchanged.");
        }
    }

    [Benchmark(Baseline = true)]
    public JToken JsonDiffPatch() => _jdp.Diff(_liveToken, _desiredToken);

    [Benchmark]
    public ResourceDiff DiffEngine() => _engine.Diff(_desired, _live, null, DiffOptions.Default);

    [Benchmark]
    public ResourceDiff DiffEngine_NewLiveObject() => _fingerprintOnly.Diff(_desired, _live, null, DiffOptions.Default);

    [Benchmark]
    public ResourceDiff DiffEngine_FullWalk() => _walkOnly.Diff(_desired, _live, null, DiffOptions.Default);
}
