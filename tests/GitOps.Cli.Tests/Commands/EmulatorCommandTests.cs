using System.Net.Http;
using GitOps.Cli.Commands;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Cli.Tests.Commands;

public sealed class EmulatorCommandTests
{
    [Fact]
    public async Task Run_WithStateDir_ServesUntilStoppedAndKeepsStateAcrossRestarts()
    {
        using var dir = new TempDirectory();
        var kubeconfig = Path.Combine(dir.Path, "kubeconfig");
        var state = Path.Combine(dir.Path, "state");

        var url = await RunOnceAsync(kubeconfig, state, async http =>
        {
            using var content = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kept","namespace":"default"},"data":{"a":"b"}}""");
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml");
            using var response = await http.PatchAsync("/api/v1/namespaces/default/configmaps/kept?fieldManager=test", content);
            response.IsSuccessStatusCode.Should().BeTrue();
        });
        url.Should().StartWith("http://127.0.0.1:");
        File.Exists(Path.Combine(state, "state.json")).Should().BeTrue();

        await RunOnceAsync(kubeconfig, state, async http =>
        {
            using var response = await http.GetAsync("/api/v1/namespaces/default/configmaps/kept");
            response.IsSuccessStatusCode.Should().BeTrue("state was restored from the folder");
        });
    }

    private static async Task<string> RunOnceAsync(string kubeconfig, string state, Func<HttpClient, Task> use)
    {
        using var output = new StringWriter();
        using var cts = new CancellationTokenSource();
        var run = EmulatorCommand.RunAsync(new KubeApiEmulatorOptions { KubeconfigPath = kubeconfig, StateDirectory = state }, TextWriter.Synchronized(output), cts.Token);
        string? url = null;
        for (var i = 0; i < 200 && url is null; i++)
        {
            var line = output.ToString().Split('\n').FirstOrDefault(l => l.Contains("listening on", StringComparison.Ordinal));
            url = line?[(line.IndexOf("http", StringComparison.Ordinal))..].Trim();
            if (url is null)
            {
                await Task.Delay(25);
            }
        }

        url.Should().NotBeNull(output.ToString());
        File.ReadAllText(kubeconfig).Should().Contain("server: " + url!.TrimEnd('/'));
        using (var http = new HttpClient { BaseAddress = new Uri(url) })
        {
            await use(http);
        }

        await cts.CancelAsync();
        (await run).Should().Be(0);
        output.ToString().Should().Contain("Stopping.");
        return url;
    }
}
