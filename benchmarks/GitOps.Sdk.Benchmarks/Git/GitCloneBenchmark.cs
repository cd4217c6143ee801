using BenchmarkDotNet.Attributes;
using GitOps.Sdk.Git;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Benchmarks.Git;

/// <summary>
/// First fetch of a repository of 2,000 manifests into an empty cache (clone into the bare cache plus export of the
/// tree), against <c>git clone</c> of the same repository from the same server in the same run (the baseline).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GitBenchConfig.Clone))]
public class GitCloneBenchmark
{
    private GitBenchRepository repository = null!;
    private string target = null!;
    private int counter;

    [Params(2000)]
    public int Files { get; set; }

    [Params("git", "http")]
    public string Transport { get; set; } = "git";

    [GlobalSetup]
    public void Setup() => repository = GitBenchRepository.CreateAsync(Files).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => repository.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup]
    public void NewTarget() => target = Path.Combine(repository.Scratch, $"run-{counter++}");

    [IterationCleanup]
    public void DeleteTarget()
    {
        if (Directory.Exists(target))
        {
            foreach (var file in Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(target, recursive: true);
        }
    }

    [Benchmark(Baseline = true, Description = "git clone (CLI)")]
    public Task<string> GitCliClone() =>
        ProcessRunner.RunCheckedAsync("git", ["clone", "--quiet", repository.UrlOf(Transport), target]);

    [Benchmark(Description = "GitSourceProvider.FetchAsync, empty cache")]
    public async Task<string> ProviderFetchCold()
    {
        using var provider = new GitSourceProvider(Options.Create(new GitSourceOptions { CacheDirectory = target }));
        var artifact = await provider.FetchAsync(new SourceReference { Url = repository.UrlOf(Transport), Ref = "main" }, default);
        return artifact.Digest;
    }
}
