using JsonObjectAlias = System.Text.Json.Nodes.JsonObject;
using BenchmarkDotNet.Attributes;
using GitOps.Sdk.Diff;
using GitOps.Sdk.TestUtilities;
using JsonDiffPatchDotNet;
using Newtonsoft.Json.Linq;

namespace GitOps.Sdk.Benchmarks.Diff;

/// <summary>
/// A 1,000-object application: every base case of the corpus (01-30) repeated, each object renamed so the set has
/// 1,000 distinct objects, 1% of them drifted (a changed label). Baseline: JsonDiffPatch.Net on the same pairs.
/// <c>DiffEngine</c>: a periodic reconcile over the same objects (the result memo answers); <c>DiffEngine_FullWalk</c>:
/// caches off (every object compared field by field).
/// </summary>
[MemoryDiagnoser]
public class ObjectSetDiffBenchmark
{
    private readonly DiffEngine _engine = new();
    private readonly DiffEngine _walkOnly = new(memoize: false);
    private readonly JsonDiffPatch _jdp = new();
    private (KubeObject Desired, KubeObject Live)[] _pairs = [];
    private (JToken Desired, JToken Live)[] _tokens = [];

    [Params(1000)]
    public int Objects { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var bases = TestPaths.KubeLiveCases
            .Select(Path.GetFileName)
            .Where(n => int.Parse(n![..2], System.Globalization.CultureInfo.InvariantCulture) <= 30)
            .Select(n => DiffCorpus.Pair(n!))
            .ToArray();
        _pairs = new (KubeObject, KubeObject)[Objects];
        for (var i = 0; i < Objects; i++)
        {
            var (desired, live) = bases[i % bases.Length];
            var name = $"{desired.Name}-{i}";
            var drifted = i % 100 == 0;
            _pairs[i] = (
                desired.With(o => o["metadata"]!["name"] = name),
                live.With(o =>
                {
                    o["metadata"]!["name"] = name;
                    if (drifted)
                    {
                        var labels = o["metadata"]!["labels"] as JsonObjectAlias ?? new JsonObjectAlias();
                        labels["bench-drift"] = "yes";
                        o["metadata"]!["labels"] = labels.DeepClone();
                    }
                }));
            if (drifted)
            {
                _pairs[i].Desired = _pairs[i].Desired.With(o =>
                {
                    var labels = o["metadata"]!["labels"] as JsonObjectAlias ?? new JsonObjectAlias();
                    labels["bench-drift"] = "no";
                    o["metadata"]!["labels"] = labels.DeepClone();
                });
            }
        }

        _tokens = [.. _pairs.Select(p => (DiffCorpus.Token(p.Desired), DiffCorpus.Token(p.Live)))];
        var drift = _pairs.Count(p => _engine.Diff(p.Desired, p.Live, null, DiffOptions.Default).HasDrift);
        if (drift != Objects / 100)
        {
            throw new InvalidOperationException($"Expected {Objects / 100} drifted objects, found {drift}.");
        }
    }

    [Benchmark(Baseline = true)]
    public int JsonDiffPatch()
    {
        var n = 0;
        foreach (var (desired, live) in _tokens)
        {
            if (_jdp.Diff(live, desired) is not null)
            {
                n++;
            }
        }

        return n;
    }

    [Benchmark]
    public int DiffEngine_FullWalk()
    {
        var n = 0;
        foreach (var (desired, live) in _pairs)
        {
            if (_walkOnly.Diff(desired, live, null, DiffOptions.Default).HasDrift)
            {
                n++;
            }
        }

        return n;
    }

    [Benchmark]
    public int DiffEngine()
    {
        var n = 0;
        foreach (var (desired, live) in _pairs)
        {
            if (_engine.Diff(desired, live, null, DiffOptions.Default).HasDrift)
            {
                n++;
            }
        }

        return n;
    }
}
