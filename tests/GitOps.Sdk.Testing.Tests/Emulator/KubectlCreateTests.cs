using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>
/// The real kubectl's generators (<c>kubectl create namespace|deployment|…</c>), which send protobuf bodies, against the
/// emulator; the JSON path (<c>kubectl create -f</c>) is the comparison, the recorded corpus the reference for defaults.
/// </summary>
public sealed class KubectlCreateTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private KubeApiEmulator _protobuf = null!;
    private KubeApiEmulator _json = null!;
    private string _kubectl = null!;

    /// <summary>One generator per kind kubectl create can make (flags before any <c>--</c>).</summary>
    public static TheoryData<string, string[]> Generators() => new()
    {
        { "namespace/demo", ["namespace", "demo"] },
        { "configmap/x", ["configmap", "x", "--from-literal=a=b", "--from-literal=c=d"] },
        { "secret/s", ["secret", "generic", "s", "--from-literal=k=v"] },
        { "secret/d", ["secret", "docker-registry", "d", "--docker-server=r.example.com", "--docker-username=u", "--docker-password=p"] },
        { "serviceaccount/sa", ["serviceaccount", "sa"] },
        { "deployment.apps/web", ["deployment", "web", "--image=nginx"] },
        { "deployment.apps/idle", ["deployment", "idle", "--image=registry.example.com/app:1.0", "--replicas=0", "--port=8080"] },
        { "service/svc", ["service", "clusterip", "svc", "--tcp=80:8080", "--tcp=443:https"] },
        { "service/np", ["service", "nodeport", "np", "--tcp=80:8080"] },
        { "job.batch/j", ["job", "j", "--image=busybox", "--", "echo", "hi"] },
        { "cronjob.batch/cj", ["cronjob", "cj", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"] },
        { "role.rbac.authorization.k8s.io/r", ["role", "r", "--verb=get,list", "--resource=pods,deployments.apps"] },
        { "rolebinding.rbac.authorization.k8s.io/rb", ["rolebinding", "rb", "--role=r", "--user=u", "--serviceaccount=default:sa"] },
        { "clusterrole.rbac.authorization.k8s.io/cr", ["clusterrole", "cr", "--verb=get", "--resource=nodes"] },
        { "clusterrolebinding.rbac.authorization.k8s.io/crb", ["clusterrolebinding", "crb", "--clusterrole=cr", "--group=g"] },
        { "resourcequota/q", ["quota", "q", "--hard=cpu=1,memory=1Gi,pods=2"] },
        { "poddisruptionbudget.policy/pdb", ["poddisruptionbudget", "pdb", "--selector=a=b", "--min-available=50%"] },
        { "ingress.networking.k8s.io/ing", ["ingress", "ing", "--rule=foo.com/bar=svc1:8080"] },
        { "priorityclass.scheduling.k8s.io/p", ["priorityclass", "p", "--value=5"] },
    };

    public async Task InitializeAsync()
    {
        _kubectl = TestPaths.RequireTool("kubectl");
        _protobuf = await KubeApiEmulator.StartAsync();
        _json = await KubeApiEmulator.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _protobuf.DisposeAsync();
        await _json.DisposeAsync();
        _dir.Dispose();
    }

    private Task<ProcessResult> KubectlAsync(KubeApiEmulator api, params string[] args) =>
        ProcessRunner.RunAsync(_kubectl, ["--kubeconfig", api.KubeconfigPath, "-n", "default", .. args]);

    private async Task<JsonObject> GetJsonAsync(KubeApiEmulator api, string resource)
    {
        var get = await KubectlAsync(api, "get", resource, "-o", "json", "--show-managed-fields");
        get.ExitCode.Should().Be(0, get.StandardError);
        return JsonNode.Parse(get.StandardOutput)!.AsObject();
    }

    [Theory]
    [MemberData(nameof(Generators))]
    public async Task Create_Generator_StoresWhatTheSameObjectSentAsJsonStores(string resource, string[] generator)
    {
        var created = await KubectlAsync(_protobuf, ["create", .. generator]);
        created.ExitCode.Should().Be(0, created.StandardError);
        created.StandardOutput.Should().Contain(resource + " created");

        // The same object as kubectl builds it, sent through the JSON path (kubectl create -f sends JSON).
        var separator = Array.IndexOf(generator, "--");
        string[] dryRun = separator < 0
            ? ["create", .. generator, "--dry-run=client", "-o", "json"]
            : ["create", .. generator[..separator], "--dry-run=client", "-o", "json", .. generator[separator..]];
        var printed = await KubectlAsync(_json, dryRun);
        printed.ExitCode.Should().Be(0, printed.StandardError);
        var file = Path.Combine(_dir.Path, resource.Replace('/', '_') + ".json");
        await File.WriteAllTextAsync(file, printed.StandardOutput);
        var createdFromJson = await KubectlAsync(_json, "create", "-f", file);
        createdFromJson.ExitCode.Should().Be(0, createdFromJson.StandardError);

        var fromProtobuf = Comparable(await GetJsonAsync(_protobuf, resource));
        var fromJson = Comparable(await GetJsonAsync(_json, resource));
        fromProtobuf.ToJsonString().Should().Be(fromJson.ToJsonString());
    }

    [Fact]
    public async Task Create_DoneWhenObjects_ReadBackAsTheRecordedRealServerStoresThem()
    {
        foreach (string[] args in (string[][])[["namespace", "demo"], ["configmap", "x", "--from-literal=a=b"], ["deployment", "web", "--image=nginx"], ["secret", "generic", "s", "--from-literal=k=v"]])
        {
            var created = await KubectlAsync(_protobuf, ["create", .. args]);
            created.ExitCode.Should().Be(0, created.StandardError);
        }

        var recordedNamespace = Corpus("01-namespace-labels");
        var ns = await GetJsonAsync(_protobuf, "namespace/demo");
        ns["spec"]!.ToJsonString().Should().Be(recordedNamespace["spec"]!.ToJsonString());
        ns["status"]!.ToJsonString().Should().Be(recordedNamespace["status"]!.ToJsonString());
        ns["metadata"]!["labels"]!.ToJsonString().Should().Be("""{"kubernetes.io/metadata.name":"demo"}""");

        var cm = await GetJsonAsync(_protobuf, "configmap/x");
        cm["data"]!.ToJsonString().Should().Be("""{"a":"b"}""");
        cm["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>().Should().Be("kubectl-create");
        cm["metadata"]!["managedFields"]![0]!["operation"]!.GetValue<string>().Should().Be("Update");

        var secret = await GetJsonAsync(_protobuf, "secret/s");
        secret["data"]!.ToJsonString().Should().Be("""{"k":"dg=="}""");
        secret["type"]!.GetValue<string>().Should().Be(Corpus("04-secret-data")["type"]!.GetValue<string>());

        // Everything the real server defaults on a Deployment, as recorded in case 08 (same shape: one container, no ports).
        var recorded = Corpus("08-deployment-small");
        var deployment = await GetJsonAsync(_protobuf, "deployment/web");
        var spec = deployment["spec"]!;
        foreach (var field in (string[])["progressDeadlineSeconds", "revisionHistoryLimit", "strategy"])
        {
            spec[field]!.ToJsonString().Should().Be(recorded["spec"]![field]!.ToJsonString(), field);
        }

        spec["replicas"]!.GetValue<int>().Should().Be(1);
        spec["template"]!["metadata"]!.ToJsonString().Should().Be("""{"creationTimestamp":null,"labels":{"app":"web"}}""");
        var podSpec = spec["template"]!["spec"]!.AsObject();
        var recordedPodSpec = recorded["spec"]!["template"]!["spec"]!.AsObject();
        podSpec.Select(p => p.Key).Should().Equal(recordedPodSpec.Select(p => p.Key));
        foreach (var (field, value) in recordedPodSpec.Where(p => p.Key != "containers"))
        {
            podSpec[field]!.ToJsonString().Should().Be(value!.ToJsonString(), field);
        }

        var container = podSpec["containers"]![0]!.AsObject();
        var recordedContainer = recordedPodSpec["containers"]![0]!.AsObject();
        container.Select(p => p.Key).Should().Equal(recordedContainer.Select(p => p.Key).Where(k => k != "ports"));
        container["name"]!.GetValue<string>().Should().Be("nginx");

        // An image without a tag means :latest, which a real server pulls Always (case 08's tagged image: IfNotPresent).
        container["imagePullPolicy"]!.GetValue<string>().Should().Be("Always");
        foreach (var field in (string[])["resources", "terminationMessagePath", "terminationMessagePolicy"])
        {
            container[field]!.ToJsonString().Should().Be(recordedContainer[field]!.ToJsonString(), field);
        }
    }

    [Fact]
    public async Task Create_ReplicasZero_KeepsZeroInsteadOfTheDefault()
    {
        var created = await KubectlAsync(_protobuf, "create", "deployment", "idle", "--image=nginx:1.27", "--replicas=0");
        created.ExitCode.Should().Be(0, created.StandardError);

        var deployment = _protobuf.Get("apps/v1", "Deployment", "default", "idle")!;
        deployment["spec"]!["replicas"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task Autoscale_Deployment_CreatesTheHorizontalPodAutoscaler()
    {
        (await KubectlAsync(_protobuf, "create", "deployment", "web", "--image=nginx:1.27")).ExitCode.Should().Be(0);

        var autoscale = await KubectlAsync(_protobuf, "autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80");

        autoscale.ExitCode.Should().Be(0, autoscale.StandardError);
        var hpa = await GetJsonAsync(_protobuf, "horizontalpodautoscalers.v1.autoscaling/web");
        var expected = JsonNode.Parse("""{"scaleTargetRef":{"kind":"Deployment","name":"web","apiVersion":"apps/v1"},"minReplicas":2,"maxReplicas":5,"targetCPUUtilizationPercentage":80}""");
        JsonNode.DeepEquals(hpa["spec"], expected).Should().BeTrue(hpa["spec"]!.ToJsonString());
    }

    [Fact]
    public async Task Create_DryRunServer_PrintsTheDefaultedObjectAndStoresNothing()
    {
        var before = _protobuf.ResourceVersion;

        var dryRun = await KubectlAsync(_protobuf, "create", "deployment", "web", "--image=nginx:1.27", "--dry-run=server", "-o", "yaml");

        dryRun.ExitCode.Should().Be(0, dryRun.StandardError);
        dryRun.StandardOutput.Should().Contain("imagePullPolicy: IfNotPresent").And.Contain("progressDeadlineSeconds: 600")
            .And.Contain("terminationMessagePath: /dev/termination-log").And.Contain("uid: ");
        _protobuf.Get("apps/v1", "Deployment", "default", "web").Should().BeNull();
        _protobuf.ResourceVersion.Should().Be(before);
    }

    [Fact]
    public async Task Get_AfterCreate_ShowsTheObjectsInTablesAndYaml()
    {
        (await KubectlAsync(_protobuf, "create", "configmap", "settings", "--from-literal=mode=fast")).ExitCode.Should().Be(0);
        (await KubectlAsync(_protobuf, "create", "role", "reader", "--verb=get", "--resource=configmaps")).ExitCode.Should().Be(0);

        var table = await KubectlAsync(_protobuf, "get", "configmaps,roles");
        table.ExitCode.Should().Be(0, table.StandardError);
        table.StandardOutput.Should().Contain("configmap/settings")
            .And.Contain("role.rbac.authorization.k8s.io/reader");

        var yaml = await KubectlAsync(_protobuf, "get", "role", "reader", "-o", "yaml");
        yaml.ExitCode.Should().Be(0, yaml.StandardError);
        yaml.StandardOutput.Should().Contain("""
            rules:
            - apiGroups:
              - ""
              resources:
              - configmaps
              verbs:
              - get
            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Post_ProtobufForAKindWithoutMessageType_Is415NamingTheKind()
    {
        using var http = new HttpClient { BaseAddress = _protobuf.BaseAddress };
        using var content = new ByteArrayContent([.. "k8s\0"u8, 0x0a, 0x00]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.kubernetes.protobuf");

        using var response = await http.PostAsync(new Uri("apis/storage.k8s.io/v1/storageclasses", UriKind.Relative), content);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        ((string?)status["message"]).Should().Contain("storage.k8s.io/v1, Kind=StorageClass");
    }

    [Fact]
    public async Task Put_ProtobufConfigMap_UpdatesAndChecksTheResourceVersion()
    {
        (await KubectlAsync(_protobuf, "create", "configmap", "settings", "--from-literal=mode=fast")).ExitCode.Should().Be(0);
        var rv = (string)_protobuf.Get("v1", "ConfigMap", "default", "settings")!["metadata"]!["resourceVersion"]!;
        using var http = new HttpClient { BaseAddress = _protobuf.BaseAddress };

        // ConfigMap: metadata 1 (name 1, namespace 3, resourceVersion 6), data 2 (map<string,string>).
        byte[] Body(string resourceVersion, string mode) => ProtobufWire.Envelope("v1", "ConfigMap", ProtobufWire.Message(
            ProtobufWire.Msg(1, ProtobufWire.Message(ProtobufWire.Str(1, "settings"), ProtobufWire.Str(3, "default"), ProtobufWire.Str(6, resourceVersion))),
            ProtobufWire.Entry(2, "mode", mode)));

        using var update = await http.PutAsync(new Uri("api/v1/namespaces/default/configmaps/settings", UriKind.Relative), Protobuf(Body(rv, "safe")));
        update.StatusCode.Should().Be(HttpStatusCode.OK, await update.Content.ReadAsStringAsync());
        _protobuf.Get("v1", "ConfigMap", "default", "settings")!["data"]!.ToJsonString().Should().Be("""{"mode":"safe"}""");

        using var stale = await http.PutAsync(new Uri("api/v1/namespaces/default/configmaps/settings", UriKind.Relative), Protobuf(Body(rv, "slow")));
        stale.StatusCode.Should().Be(HttpStatusCode.Conflict);
        _protobuf.Get("v1", "ConfigMap", "default", "settings")!["data"]!.ToJsonString().Should().Be("""{"mode":"safe"}""");
    }

    [Fact]
    public async Task Delete_ProtobufDeleteOptions_AreHonoured()
    {
        (await KubectlAsync(_protobuf, "create", "configmap", "settings", "--from-literal=mode=fast")).ExitCode.Should().Be(0);
        using var http = new HttpClient { BaseAddress = _protobuf.BaseAddress };
        var uri = new Uri("api/v1/namespaces/default/configmaps/settings", UriKind.Relative);

        // DeleteOptions: preconditions 2 (uid 1), dryRun 5 (repeated string).
        using var dryRun = new HttpRequestMessage(HttpMethod.Delete, uri) { Content = Protobuf(ProtobufWire.Envelope("v1", "DeleteOptions", ProtobufWire.Str(5, "All"))) };
        using var dryRunResponse = await http.SendAsync(dryRun);
        dryRunResponse.StatusCode.Should().Be(HttpStatusCode.OK, await dryRunResponse.Content.ReadAsStringAsync());
        _protobuf.Get("v1", "ConfigMap", "default", "settings").Should().NotBeNull("a dry run deletes nothing");

        using var wrongUid = new HttpRequestMessage(HttpMethod.Delete, uri)
        {
            Content = Protobuf(ProtobufWire.Envelope("v1", "DeleteOptions", ProtobufWire.Msg(2, ProtobufWire.Str(1, "00000000-0000-0000-0000-000000000000")))),
        };
        using var wrongUidResponse = await http.SendAsync(wrongUid);
        wrongUidResponse.StatusCode.Should().Be(HttpStatusCode.Conflict);
        _protobuf.Get("v1", "ConfigMap", "default", "settings").Should().NotBeNull("the uid precondition failed");
    }

    private static ByteArrayContent Protobuf(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(ProtobufWire.MediaType);
        return content;
    }

    private static JsonObject Corpus(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.KubeLive, "cases", name, "live.json")))!.AsObject();

    /// <summary>The object without what differs between two servers by design: uid (also where a controller copied it), times, resourceVersion.</summary>
    private static JsonObject Comparable(JsonObject obj)
    {
        var uid = (string)obj["metadata"]!["uid"]!;
        var copy = JsonNode.Parse(obj.ToJsonString().Replace(uid, "<uid>", StringComparison.Ordinal))!.AsObject();
        var metadata = copy["metadata"]!.AsObject();
        metadata.Remove("uid");
        metadata.Remove("creationTimestamp");
        metadata.Remove("resourceVersion");
        foreach (var entry in metadata["managedFields"]?.AsArray() ?? [])
        {
            entry!.AsObject().Remove("time");
        }

        return copy;
    }
}
