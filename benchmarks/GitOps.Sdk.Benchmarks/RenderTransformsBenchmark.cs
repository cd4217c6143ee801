using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using GitOps.Sdk.Rendering;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Benchmarks;

/// <summary>
/// The render stage around a renderer: the built-in transforms over N objects (baseline, cache off), the same with a
/// render-cache hit, and the transforms with variable substitution on.
/// </summary>
[MemoryDiagnoser]
public class RenderTransformsBenchmark
{
    private const string Template =
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME","labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:${TAG:=1.27}","env":[{"name":"A","value":"b"}]}]}}}}""";

    private readonly RenderOptions _options = new()
    {
        ApplicationName = "shop",
        Namespace = "store",
        CommonLabels = new Dictionary<string, string> { ["team"] = "payments" },
    };

    private RenderStage _uncached = null!;
    private RenderStage _cached = null!;
    private SourceArtifact _artifact = null!;
    private RenderOptions _substituting = null!;

    /// <summary>Gets or sets the number of rendered objects.</summary>
    [Params(100, 1000)]
    public int Objects { get; set; }

    /// <summary>Builds the stages and warms the cache.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var objects = Enumerable.Range(0, Objects)
            .Select(i => KubeObject.Parse(
                Template.Replace("NAME", "web-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
                new ObjectOrigin("deploy.yaml", i)))
            .ToImmutableArray();
        var renderer = new FixedRenderer(new DesiredState { Objects = objects });
        _artifact = new SourceArtifact
        {
            Source = new SourceReference { Url = "https://git.example/shop.git" },
            Revision = "main@sha1:0123456789abcdef0123456789abcdef01234567",
            Digest = "sha256:abc",
            RootDirectory = Path.GetTempPath(),
        };
        _uncached = Stage(renderer, 0);
        _cached = Stage(renderer, 16);
        _substituting = _options with { SubstituteVariables = true, Variables = new Dictionary<string, string> { ["TAG"] = "1.28" } };
        _cached.RenderAsync(_artifact, _options, default).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Render plus namespace, labels and ownership transforms.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Baseline = true)]
    public ValueTask<RenderResult> Transforms() => _uncached.RenderAsync(_artifact, _options, default);

    /// <summary>The same, with variable substitution on.</summary>
    /// <returns>The result.</returns>
    [Benchmark]
    public ValueTask<RenderResult> TransformsWithSubstitution() => _uncached.RenderAsync(_artifact, _substituting, default);

    /// <summary>An unchanged source: answered from the render cache.</summary>
    /// <returns>The result.</returns>
    [Benchmark]
    public ValueTask<RenderResult> CacheHit() => _cached.RenderAsync(_artifact, _options, default);

    private static RenderStage Stage(IRenderer renderer, int cacheSize)
    {
        var options = Options.Create(new RenderStageOptions { CacheSize = cacheSize });
        IRenderTransform[] transforms =
        [
            new DefaultNamespaceTransform(options), new CommonMetadataTransform(), new VariableSubstitutionTransform(), new OwnershipTransform(options),
        ];
        return new RenderStage([renderer], transforms, options);
    }

    private sealed class FixedRenderer(DesiredState state) : IRenderer
    {
        public string Name => "plain";

        public bool CanRender(SourceArtifact artifact, RenderOptions options) => true;

        public ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RenderResult.Success(state, Name));
    }
}
