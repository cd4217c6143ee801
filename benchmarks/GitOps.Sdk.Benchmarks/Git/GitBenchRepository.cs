using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Sdk.Benchmarks.Git;

/// <summary>A repository of <c>files</c> manifests served by a real <c>git daemon</c> and <c>git http-backend</c>, for the Git benchmarks.</summary>
internal sealed class GitBenchRepository : IAsyncDisposable
{
    private readonly TempDirectory temp;

    private GitBenchRepository(TempDirectory temp, GitDaemonServer daemon, GitHttpServer http, GitTestRepository repository)
    {
        this.temp = temp;
        Daemon = daemon;
        Http = http;
        Repository = repository;
    }

    public GitDaemonServer Daemon { get; }

    public GitHttpServer Http { get; }

    public GitTestRepository Repository { get; }

    public string Scratch => temp.Path;

    public static async Task<GitBenchRepository> CreateAsync(int files)
    {
        var temp = new TempDirectory("gitops-bench-git");
        var root = temp.Combine("served");
        Directory.CreateDirectory(root);
        var repo = await GitTestRepository.CreateAsync(root, "bulk");
        await repo.AddManyFilesAsync("manifests", files);
        var daemon = await GitDaemonServer.StartAsync(root);
        var http = await GitHttpServer.StartAsync(new GitHttpServerOptions { Root = root });
        return new GitBenchRepository(temp, daemon, http, repo);
    }

    public string UrlOf(string transport) => transport == "http" ? Http.UrlOf(Repository.Name) : Daemon.UrlOf(Repository.Name);

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        await Http.DisposeAsync();
        temp.Dispose();
    }
}
