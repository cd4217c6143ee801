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

    [Fact]
    public async Task Run_CrdEstablishDelayZero_ServesANewCrdsGroupRightAfterItsApply()
    {
        using var dir = new TempDirectory();
        var kubeconfig = Path.Combine(dir.Path, "kubeconfig");
        var output = new StringWriter();
        using var cts = new CancellationTokenSource();
        var parse = CliApp.BuildRootCommand().Parse(["emulator", "--kubeconfig", kubeconfig, "--crd-establish-delay-ms", "0"]);
        parse.Errors.Should().BeEmpty();
        parse.InvocationConfiguration.Output = TextWriter.Synchronized(output);
        var run = parse.InvokeAsync(cancellationToken: cts.Token);
        var url = await WaitForUrlAsync(output);
        using (var http = new HttpClient { BaseAddress = new Uri(url) })
        {
            const string crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.cli.example.org}\n" +
                "spec:\n  group: cli.example.org\n  scope: Namespaced\n  names: {plural: widgets, kind: Widget}\n" +
                "  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n";
            using var content = new StringContent(crd);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml");
            using var applied = await http.PatchAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.cli.example.org?fieldManager=test", content);
            applied.StatusCode.Should().Be(System.Net.HttpStatusCode.Created);
            using var discovery = await http.GetAsync("/apis/cli.example.org/v1");
            discovery.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, "--crd-establish-delay-ms 0 establishes the CRD within its apply");
        }

        await cts.CancelAsync();
        (await run).Should().Be(0);
    }

    [Fact]
    public void Parse_NegativeCrdEstablishDelay_IsAnError()
    {
        var parse = CliApp.BuildRootCommand().Parse(["emulator", "--kubeconfig", "k", "--crd-establish-delay-ms", "-5"]);
        parse.Errors.Select(e => e.Message).Should().Contain("--crd-establish-delay-ms must be 0 or more.");
    }

    private static async Task<string> WaitForUrlAsync(StringWriter output)
    {
        string? url = null;
        for (var i = 0; i < 400 && url is null; i++)
        {
            var line = output.ToString().Split('\n').FirstOrDefault(l => l.Contains("listening on", StringComparison.Ordinal));
            url = line?[(line.IndexOf("http", StringComparison.Ordinal))..].Trim();
            if (url is null)
            {
                await Task.Delay(25);
            }
        }

        url.Should().NotBeNull(output.ToString());
        return url!;
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
