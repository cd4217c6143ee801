using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>
/// Bodies that do not fit the built-in Go types are refused (400 BadRequest, worded like the server's decoder for
/// create/update bodies and like its typed conversion for server-side apply), field formats with 422 Invalid naming the
/// field; nothing is stored.
/// </summary>
public sealed class TypeValidationTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync();
        _http = new HttpClient { BaseAddress = _api.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\ndata: {a: [1, 2]}\n",
        "failed to create typed patch object (/v1, Kind=ConfigMap): .data.a: expected string, got &value.valueUnstructured{Value:[]interface {}{1, 2}}")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: x, namespace: default}\nstringData: {k: {a: b}}\n",
        "failed to create typed patch object (/v1, Kind=Secret): .stringData.k: expected string, got &value.valueUnstructured{Value:map[string]interface {}{\"a\":\"b\"}}")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: x, namespace: default}\ndata: {k: 'YWJj!'}\n",
        "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 4")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default, labels: {tier: 1}}\n",
        "failed to create typed patch object (/v1, Kind=ConfigMap): .metadata.labels.tier: expected string, got &value.valueUnstructured{Value:1}")]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: default}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: nginx, resources: {limits: {memory: 1Gb}}}]\n",
        "Deployment in version \"v1\" cannot be handled as a Deployment: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    [InlineData("apiVersion: batch/v1\nkind: Job\nmetadata: {name: x, namespace: default}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: true, image: busybox}]\n",
        "failed to create typed patch object (batch/v1, Kind=Job): .spec.template.spec.containers[0].name: expected string, got &value.valueUnstructured{Value:true}")]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: default}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: nginx, env: [{name: 5, value: x}]}]\n",
        "failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers[0].env[0].name: expected string, got &value.valueUnstructured{Value:5}")]
    public async Task Apply_BodyNotFittingTheGoTypes_IsBadRequestAndStoresNothing(string manifest, string message)
    {
        var (code, status) = await SendAsync(HttpMethod.Patch, manifest, "application/apply-patch+yaml");

        code.Should().Be(400);
        ((string?)status["reason"]).Should().Be("BadRequest");
        ((string?)status["message"]).Should().Be(message);
        _api.ObjectCount.Should().Be(4, "only the default namespaces exist");
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":["b"]}}""",
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ConfigMap.data of type string")]
    [InlineData("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"},"data":{"k":"no*base64"}}""",
        "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 2")]
    [InlineData("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"},"stringData":{"k":{"a":"b"}}}""",
        "Secret in version \"v1\" cannot be handled as a Secret: json: cannot unmarshal object into Go struct field Secret.stringData of type string")]
    public async Task Create_BodyNotFittingTheGoTypes_IsBadRequestLikeTheDecoder(string body, string message)
    {
        var kind = body.Contains("\"Secret\"", StringComparison.Ordinal) ? "secrets" : "configmaps";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri($"/api/v1/namespaces/default/{kind}", UriKind.Relative), content);

        ((int)response.StatusCode).Should().Be(400);
        ((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]).Should().Be(message);
    }

    [Theory]
    [InlineData("containers: [{name: c, image: nginx, ports: [{containerPort: 70000}]}]",
        "spec.template.spec.containers[0].ports[0].containerPort", "Invalid value: 70000: must be between 1 and 65535, inclusive")]
    [InlineData("containers: [{name: c, image: nginx, ports: [{name: Http_Port, containerPort: 80}]}]",
        "spec.template.spec.containers[0].ports[0].name", "Invalid value: \"Http_Port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")]
    [InlineData("containers: [{name: Web_App, image: nginx}]",
        "spec.template.spec.containers[0].name", "Invalid value: \"Web_App\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")]
    [InlineData("initContainers: [{name: init, image: busybox, env: [{name: 1BAD, value: x}]}]\n      containers: [{name: c, image: nginx}]",
        "spec.template.spec.initContainers[0].env[0].name", "Invalid value: \"1BAD\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")]
    public async Task Apply_DeploymentWithInvalidFieldFormat_Is422NamingTheField(string podSpec, string field, string message)
    {
        var manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: default}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      " + podSpec + "\n";

        var (code, status) = await SendAsync(HttpMethod.Patch, manifest, "application/apply-patch+yaml", "/apis/apps/v1/namespaces/default/deployments/x");

        code.Should().Be(422);
        ((string?)status["reason"]).Should().Be("Invalid");
        var cause = status["details"]!["causes"]!.AsArray().Single()!;
        ((string?)cause["field"]).Should().Be(field);
        ((string?)cause["message"]).Should().Be(message);
    }

    [Fact]
    public async Task Apply_ServiceWithInvalidTargetPortName_Is422()
    {
        var manifest = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec:\n  ports: [{port: 80, targetPort: web--http}]\n";

        var (code, status) = await SendAsync(HttpMethod.Patch, manifest, "application/apply-patch+yaml", "/api/v1/namespaces/default/services/web");

        code.Should().Be(422);
        ((string?)status["message"]).Should().Contain("spec.ports[0].targetPort: Invalid value: \"web--http\": must not contain consecutive hyphens");
    }

    private async Task<(int Code, JsonNode Status)> SendAsync(HttpMethod method, string body, string contentType, string? path = null)
    {
        var kind = body.Contains("kind: Secret", StringComparison.Ordinal) ? "secrets"
            : body.Contains("kind: Deployment", StringComparison.Ordinal) ? "deployments"
            : body.Contains("kind: Job", StringComparison.Ordinal) ? "jobs"
            : "configmaps";
        var group = kind switch { "deployments" => "/apis/apps/v1", "jobs" => "/apis/batch/v1", _ => "/api/v1" };
        path ??= $"{group}/namespaces/default/{kind}/x";
        using var request = new HttpRequestMessage(method, path + "?fieldManager=gitops-sdk") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
