using GitOps.Sdk.Hosting;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Samples.WebHost.Tests;

/// <summary>
/// The web host on 127.0.0.1 and a free port, against the embedded API emulator and a local Git repository made from
/// samples/demo-repo; waits for the first sync.
/// </summary>
public class WebHostFixture : IAsyncLifetime
{
    public const string Secret = "test-webhook-secret";

    private readonly TempDirectory _temp = new("gitops-webhost");
    private WebApplication? _app;

    public KubeApiEmulator Emulator { get; private set; } = null!;

    public string Repository => _temp.Combine("demo");

    public HttpClient Http { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IGitOpsController Controller => _app!.Services.GetRequiredService<IGitOpsController>();

    /// <summary>Gets settings a derived fixture adds to (or overrides in) the host's configuration.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    public async Task InitializeAsync()
    {
        CopyDirectory(Path.Combine(TestPaths.RepositoryRoot, "samples", "demo-repo"), Repository);
        await GitAsync("init", "-q", "-b", "main");
        await CommitAllAsync("Demo application");

        Emulator = await KubeApiEmulator.StartAsync();
        var port = FreePort.Next();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _app = await GitOpsWebHost.BuildAsync(
            ["--urls", BaseAddress.ToString().TrimEnd('/'), "--environment", "Production"],
            b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Kubernetes:Kubeconfig"] = Emulator.KubeconfigPath,
                ["Webhooks:Secret"] = Secret,
                ["GitOps:DriftDebounce"] = "200ms",
                ["GitOps:Applications:demo:Source"] = Repository,
                ["GitOps:Applications:demo:Ref"] = "main",
                ["GitOps:Applications:demo:Namespace"] = "demo",
                ["GitOps:Applications:demo:Interval"] = "10m",
                ["GitOps:Applications:demo:Prune"] = "true",
            }.Concat(ExtraSettings)));
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilAsync(() => Controller.GetStatus("demo")?.LastAppliedRevision is not null, "the first sync");
    }

    public virtual async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        _temp.Dispose();
    }

    public Task<string> GitAsync(params string[] arguments) =>
        ProcessRunner.RunCheckedAsync("git", ["-C", Repository, "-c", "user.name=Test", "-c", "user.email=test@example.com", .. arguments]);

    public async Task<string> CommitAllAsync(string message)
    {
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "-m", message);
        return (await GitAsync("rev-parse", "HEAD")).Trim();
    }

    /// <summary>Waits for a condition the engine makes true asynchronously; fails after 30 s.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class WebHostCollection : ICollectionFixture<WebHostFixture>
{
    public const string Name = "web host";
}
