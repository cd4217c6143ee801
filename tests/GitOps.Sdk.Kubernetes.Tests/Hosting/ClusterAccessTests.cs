using System.Net.Http.Headers;
using System.Text;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using k8s;
using k8s.Exceptions;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

/// <summary>Cluster access resolved as kubectl does, checked by talking to emulators through the resolved configuration.</summary>
public sealed class ClusterAccessTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public async Task Resolve_KubeconfigList_MergesLikeKubectlFirstFileWins()
    {
        await using var a = await KubeApiEmulator.StartAsync();
        await using var b = await KubeApiEmulator.StartAsync();
        using var temp = new TempDirectory("gitops-access");

        // The first file sets no current-context and defines "shared" pointing at a; the second defines "shared"
        // again (pointing at b: ignored, the first file wins) and "only-b", and sets current-context.
        var first = temp.WriteFile("first", Kubeconfig(null, ("shared", a), ("only-a", a)));
        var second = temp.WriteFile("second", Kubeconfig("only-b", ("shared", b), ("only-b", b)));
        var list = string.Join(Path.PathSeparator, first, temp.Combine("missing"), second);
        string? Env(string name) => name == "KUBECONFIG" ? list : null;

        var current = ClusterAccess.Resolve(new KubernetesTargetOptions(), Env, temp.Combine("home"), TimeProvider.System);
        var shared = ClusterAccess.Resolve(new KubernetesTargetOptions { Context = "shared" }, Env, temp.Combine("home"), TimeProvider.System);

        current.Description.Should().Contain("$KUBECONFIG").And.Contain("context only-b");
        (await WriteMarkerAsync(current.Configuration, "current")).Should().Be(b.BaseAddress.Port);
        b.Get("v1", "ConfigMap", "default", "current").Should().NotBeNull("current-context comes from the first file that sets it");
        (await WriteMarkerAsync(shared.Configuration, "shared")).Should().Be(a.BaseAddress.Port);
        a.Get("v1", "ConfigMap", "default", "shared").Should().NotBeNull("a context defined twice is taken from the first file");
        b.Get("v1", "ConfigMap", "default", "shared").Should().BeNull();
    }

    [Fact]
    public async Task Resolve_ExplicitPathWinsOverKubeconfigVariable_AndContextSelects()
    {
        await using var a = await KubeApiEmulator.StartAsync();
        await using var b = await KubeApiEmulator.StartAsync();
        using var temp = new TempDirectory("gitops-access");
        var explicitFile = temp.WriteFile("explicit", Kubeconfig("to-a", ("to-a", a), ("to-b", b)));
        var variableFile = temp.WriteFile("variable", Kubeconfig("to-b", ("to-b", b)));
        string? Env(string name) => name == "KUBECONFIG" ? variableFile : null;

        var chosen = ClusterAccess.Resolve(new KubernetesTargetOptions { KubeconfigPath = explicitFile }, Env, null, TimeProvider.System);
        var selected = ClusterAccess.Resolve(new KubernetesTargetOptions { KubeconfigPath = explicitFile, Context = "to-b" }, Env, null, TimeProvider.System);

        (await WriteMarkerAsync(chosen.Configuration, "explicit")).Should().Be(a.BaseAddress.Port);
        (await WriteMarkerAsync(selected.Configuration, "selected")).Should().Be(b.BaseAddress.Port);
        var unknown = () => ClusterAccess.Resolve(new KubernetesTargetOptions { KubeconfigPath = explicitFile, Context = "nope" }, Env, null, TimeProvider.System);
        unknown.Should().Throw<KubeConfigException>().WithMessage("*context 'nope'*--context*KubernetesTargetOptions.Context*to-a, to-b*");
        var missing = () => ClusterAccess.Resolve(new KubernetesTargetOptions { KubeconfigPath = temp.Combine("absent") }, Env, null, TimeProvider.System);
        missing.Should().Throw<KubeConfigException>().WithMessage($"*{temp.Combine("absent")}*KubernetesTargetOptions.KubeconfigPath*does not exist*");
    }

    [Fact]
    public async Task Resolve_NoVariable_UsesHomeKubeconfig()
    {
        await using var a = await KubeApiEmulator.StartAsync();
        using var temp = new TempDirectory("gitops-access");
        temp.WriteFile(Path.Combine("home", ".kube", "config"), Kubeconfig("home", ("home", a)));

        var resolved = ClusterAccess.Resolve(new KubernetesTargetOptions(), NoEnvironment, temp.Combine("home"), TimeProvider.System);

        resolved.Description.Should().Contain(Path.Combine(".kube", "config"));
        (await WriteMarkerAsync(resolved.Configuration, "home")).Should().Be(a.BaseAddress.Port);
    }

    [Fact]
    public async Task Resolve_NoKubeconfigAnywhere_UsesServiceAccountOverTls()
    {
        await using var api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { UseTls = true });
        using var temp = new TempDirectory("gitops-access");
        var serviceAccount = temp.Combine("sa");
        Directory.CreateDirectory(serviceAccount);
        await File.WriteAllTextAsync(Path.Combine(serviceAccount, "token"), "pod-token-1\n");
        await File.WriteAllTextAsync(Path.Combine(serviceAccount, "namespace"), "gitops-system\n");
        await File.WriteAllTextAsync(Path.Combine(serviceAccount, "ca.crt"), CaOf(api));
        var env = new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
            ["KUBERNETES_SERVICE_PORT"] = api.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var options = new KubernetesTargetOptions { ServiceAccountDirectory = serviceAccount };

        var resolved = ClusterAccess.Resolve(options, n => env.GetValueOrDefault(n), temp.Combine("home"), TimeProvider.System);

        resolved.Description.Should().Contain("in-cluster");
        resolved.Configuration.Namespace.Should().Be("gitops-system");
        var recorder = new AuthorizationRecorder();
        using (var client = new k8s.Kubernetes(resolved.Configuration, recorder))
        {
            var namespaces = await client.CoreV1.ListNamespaceAsync();
            namespaces.Items.Should().Contain(n => n.Metadata.Name == "default", "the emulator's certificate was trusted through ca.crt");
        }

        recorder.Seen.Should().Contain(new AuthenticationHeaderValue("Bearer", "pod-token-1").ToString());
        var withContext = () => ClusterAccess.Resolve(new KubernetesTargetOptions { ServiceAccountDirectory = serviceAccount, Context = "x" }, n => env.GetValueOrDefault(n), temp.Combine("home"), TimeProvider.System);
        withContext.Should().Throw<KubeConfigException>().WithMessage("*context 'x'*no kubeconfig was found*");
    }

    [Fact]
    public void Resolve_NothingConfigured_NamesEverySourceTried()
    {
        using var temp = new TempDirectory("gitops-access");
        var options = new KubernetesTargetOptions { ServiceAccountDirectory = temp.Combine("no-sa") };

        var act = () => ClusterAccess.Resolve(options, NoEnvironment, temp.Combine("home"), TimeProvider.System);

        act.Should().Throw<KubeConfigException>()
            .WithMessage("*no cluster access configured*KubernetesTargetOptions.KubeconfigPath*$KUBECONFIG is not set*.kube*config does not exist*KUBERNETES_SERVICE_HOST is not set*");
        var inCluster = () => ClusterAccess.Resolve(new KubernetesTargetOptions { InCluster = true, ServiceAccountDirectory = temp.Combine("no-sa") }, NoEnvironment, null, TimeProvider.System);
        inCluster.Should().Throw<KubeConfigException>().WithMessage("*InCluster*not a pod*token does not exist*");
    }

    private static async Task<int> WriteMarkerAsync(KubernetesClientConfiguration configuration, string name)
    {
        using var client = new k8s.Kubernetes(configuration);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = name } }, "default");
        return client.BaseUri.Port;
    }

    private static string Kubeconfig(string? current, params (string Name, KubeApiEmulator Api)[] contexts)
    {
        var sb = new StringBuilder("apiVersion: v1\nkind: Config\n");
        if (current is not null)
        {
            sb.Append("current-context: ").Append(current).Append('\n');
        }

        sb.Append("clusters:\n");
        foreach (var (name, api) in contexts)
        {
            sb.Append("- name: ").Append(name).Append("\n  cluster:\n    server: ").Append(api.BaseAddress.ToString().TrimEnd('/')).Append('\n');
        }

        sb.Append("users:\n");
        foreach (var (name, _) in contexts)
        {
            sb.Append("- name: ").Append(name).Append("\n  user:\n    token: t-").Append(name).Append('\n');
        }

        sb.Append("contexts:\n");
        foreach (var (name, _) in contexts)
        {
            sb.Append("- name: ").Append(name).Append("\n  context:\n    cluster: ").Append(name).Append("\n    user: ").Append(name).Append('\n');
        }

        return sb.ToString();
    }

    private static string CaOf(KubeApiEmulator api)
    {
        var line = File.ReadAllLines(api.KubeconfigPath).Single(l => l.TrimStart().StartsWith("certificate-authority-data:", StringComparison.Ordinal));
        return Encoding.ASCII.GetString(Convert.FromBase64String(line.Split(':', 2)[1].Trim()));
    }

    private sealed class AuthorizationRecorder : DelegatingHandler
    {
        public List<string> Seen { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Seen)
            {
                Seen.Add(request.Headers.Authorization?.ToString() ?? "(none)");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
