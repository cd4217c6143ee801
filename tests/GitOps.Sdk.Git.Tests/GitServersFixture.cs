using GitOps.Sdk.Git;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Git.Tests;

/// <summary>Where a test reaches its repository.</summary>
public enum Transport
{
    File,
    Daemon,
    Http,
}

/// <summary>One folder of repositories served by a real <c>git daemon</c> and a real <c>git http-backend</c> behind Kestrel.</summary>
public sealed class GitServersFixture : IAsyncLifetime
{
    private readonly TempDirectory temp = new("gitops-git");
    private int counter;

    public string Root => temp.Combine("served");

    public GitDaemonServer Daemon { get; private set; } = null!;

    public GitHttpServer Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Daemon = await GitDaemonServer.StartAsync(Root);
        Http = await GitHttpServer.StartAsync(new GitHttpServerOptions { Root = Root });
    }

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        await Http.DisposeAsync();
        temp.Dispose();
    }

    /// <summary>Creates a repository with a unique name holding one commit on main.</summary>
    public async Task<GitTestRepository> NewRepositoryAsync(string prefix = "repo", Action<GitTestRepository>? populate = null)
    {
        var repo = await GitTestRepository.CreateAsync(Root, $"{prefix}-{Interlocked.Increment(ref counter)}");
        repo.Write("apps/web/deployment.yaml", "kind: Deployment\nmetadata:\n  name: web\n");
        repo.Write("apps/web/service.yaml", "kind: Service\nmetadata:\n  name: web\n");
        repo.Write("apps/api/deployment.yaml", "kind: Deployment\nmetadata:\n  name: api\n");
        repo.Write("README.md", "# demo\n");
        populate?.Invoke(repo);
        await repo.CommitAndPushAsync("initial");
        return repo;
    }

    public string UrlOf(GitTestRepository repo, Transport transport) => transport switch
    {
        Transport.File => "file://" + repo.BareDirectory,
        Transport.Daemon => Daemon.UrlOf(repo.Name),
        Transport.Http => Http.UrlOf(repo.Name),
        _ => throw new ArgumentOutOfRangeException(nameof(transport)),
    };

    /// <summary>Makes a provider with its own cache folder.</summary>
    public GitSourceProvider NewProvider(Action<GitSourceOptions>? configure = null, IEnumerable<ICredentialProvider>? credentials = null)
    {
        var options = new GitSourceOptions { CacheDirectory = temp.Combine("cache-" + Interlocked.Increment(ref counter)) };
        configure?.Invoke(options);
        return new GitSourceProvider(Options.Create(options), credentials);
    }

    public string NewDirectory(string name) => temp.Combine(name + "-" + Interlocked.Increment(ref counter));
}
