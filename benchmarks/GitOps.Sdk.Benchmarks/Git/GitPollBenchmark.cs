using BenchmarkDotNet.Attributes;
using GitOps.Sdk.Git;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Benchmarks.Git;

/// <summary>
/// The unchanged-remote poll: what a reconcile costs when nothing was pushed. <c>ResolveAsync</c> (one ref
/// advertisement) and a repeated <c>FetchAsync</c> (advertisement + cache hit, no download, no export) against
/// <c>git ls-remote</c> of the same repository (the baseline). Target: ≤ 50 ms per poll.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GitBenchConfig.Poll))]
public class GitPollBenchmark
{
    private readonly SourceReference source = new() { Url = "placeholder", Ref = "main", Path = "manifests" };
    private GitBenchRepository repository = null!;
    private GitSourceProvider provider = null!;
    private SourceReference reference = null!;

    [Params(2000)]
    public int Files { get; set; }

    [Params("git", "http")]
    public string Transport { get; set; } = "git";

    [GlobalSetup]
    public void Setup()
    {
        repository = GitBenchRepository.CreateAsync(Files).GetAwaiter().GetResult();
        provider = new GitSourceProvider(Options.Create(new GitSourceOptions { CacheDirectory = Path.Combine(repository.Scratch, "cache") }));
        reference = source with { Url = repository.UrlOf(Transport) };
        provider.FetchAsync(reference, default).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        provider.Dispose();
        repository.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "git ls-remote (CLI)")]
    public Task<string> GitCliLsRemote() => ProcessRunner.RunCheckedAsync("git", ["ls-remote", repository.UrlOf(Transport), "refs/heads/main"]);

    [Benchmark(Description = "ResolveAsync (unchanged)")]
    public async Task<string> Resolve() => (await provider.ResolveAsync(reference, default)).Id;

    [Benchmark(Description = "FetchAsync (unchanged, cache hit)")]
    public async Task<string> FetchUnchanged() => (await provider.FetchAsync(reference, default)).Digest;
}
