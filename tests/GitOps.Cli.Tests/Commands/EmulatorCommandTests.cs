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
    public async Task Run_KilledWithSigkill_KeepsEveryAnsweredWrite()
    {
        using var dir = new TempDirectory();
        var kubeconfig = Path.Combine(dir.Path, "kubeconfig");
        var state = Path.Combine(dir.Path, "state");
        long lastRv;
        using (var first = EmulatorProcess.Start(kubeconfig, state))
        {
            using var http = new HttpClient { BaseAddress = new Uri(await first.WaitForUrlAsync()) };
            await ApplyAsync(http, "kept", "one");
            await ApplyAsync(http, "kept", "two");
            await ApplyAsync(http, "gone", "x");
            (await http.DeleteAsync("/api/v1/namespaces/default/configmaps/gone")).IsSuccessStatusCode.Should().BeTrue();
            lastRv = await ApplyAsync(http, "last", "z");
            first.Kill();
        }

        using var second = EmulatorProcess.Start(kubeconfig, state);
        using var again = new HttpClient { BaseAddress = new Uri(await second.WaitForUrlAsync()) };
        var kept = System.Text.Json.Nodes.JsonNode.Parse(await again.GetStringAsync("/api/v1/namespaces/default/configmaps/kept"))!;
        ((string?)kept["data"]!["k"]).Should().Be("two", "the last answered write before the SIGKILL is kept");
        (await again.GetAsync("/api/v1/namespaces/default/configmaps/gone")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        (await again.GetAsync("/api/v1/namespaces/default/configmaps/last")).IsSuccessStatusCode.Should().BeTrue();
        (await ApplyAsync(again, "after", "a")).Should().BeGreaterThan(lastRv, "resourceVersions keep increasing after the restart");
    }

    private static async Task<long> ApplyAsync(HttpClient http, string name, string value)
    {
        using var content = new StringContent("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"},\"data\":{\"k\":\"" + value + "\"}}");
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml");
        using var response = await http.PatchAsync($"/api/v1/namespaces/default/configmaps/{name}?fieldManager=test", content);
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return long.Parse((string)body["metadata"]!["resourceVersion"]!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary><c>gitops emulator</c> as a real child process (killed when disposed).</summary>
    private sealed class EmulatorProcess : IDisposable
    {
        private readonly System.Diagnostics.Process _process;
        private readonly TaskCompletionSource<string> _url = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Text.StringBuilder _output = new();

        private EmulatorProcess(System.Diagnostics.Process process) => _process = process;

        public static EmulatorProcess Start(string kubeconfig, string state)
        {
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            var psi = new System.Diagnostics.ProcessStartInfo(dotnet)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "gitops.dll"), "emulator", "--kubeconfig", kubeconfig, "--state-dir", state })
            {
                psi.ArgumentList.Add(a);
            }

            var process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("could not start gitops emulator");
            var result = new EmulatorProcess(process);
            process.OutputDataReceived += (_, e) => result.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => result.OnLine(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return result;
        }

        public async Task<string> WaitForUrlAsync()
        {
            var done = await Task.WhenAny(_url.Task, Task.Delay(TimeSpan.FromMinutes(1)));
            done.Should().Be(_url.Task, "gitops emulator should start: " + Output);
            return await _url.Task;
        }

        /// <summary>SIGKILL: no shutdown code runs.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }

        private string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            var at = line.IndexOf("listening on ", StringComparison.Ordinal);
            if (at >= 0)
            {
                _url.TrySetResult(line[(at + "listening on ".Length)..].Trim());
            }
        }
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
