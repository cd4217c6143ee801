using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Sdk.Testing.Emulator;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>
/// Replays every recorded case of tests/testdata/kube-live/cases: server-side apply of desired.yaml with field
/// manager gitops-sdk, then the stored object must equal what the real API server stored (live.json, or
/// live-before.json for mutation cases); mutation cases then run their mutation.sh with the real kubectl and compare again.
/// </summary>
public sealed class CorpusConformanceTests : IClassFixture<CorpusConformanceTests.Fixture>
{
    private readonly Fixture _fixture;

    public CorpusConformanceTests(Fixture fixture) => _fixture = fixture;

    public static TheoryData<string> Cases()
        => TestPaths.NonEmptyTheoryData(TestPaths.KubeLiveCaseNames, "kube-live/cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Apply_CorpusCase_StoresWhatTheRealServerStored(string caseName)
    {
        var result = await _fixture.RunCaseAsync(caseName);
        result.Should().BeEmpty("the emulator must store what kube-apiserver stored for case " + caseName);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly Dictionary<string, List<string>> _results = new(StringComparer.Ordinal);

        public KubeApiEmulator Api { get; private set; } = null!;

        public HttpClient Http { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            // These tests use a CRD right after creating it; CrdEstablishTests covers the asynchronous establishment.
            Api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.Zero });
            Http = new HttpClient { BaseAddress = Api.BaseAddress };
            await ApplyAsync("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fixtures\n", "setup");
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await Api.DisposeAsync();
        }

        /// <summary>Runs cases in corpus order once (case 28 needs case 27's CRD); returns the differences of one case.</summary>
        public async Task<List<string>> RunCaseAsync(string caseName)
        {
            await _gate.WaitAsync();
            try
            {
                if (_results.Count == 0)
                {
                    foreach (var dir in TestPaths.KubeLiveCases)
                    {
                        _results[Path.GetFileName(dir)] = await RunAsync(dir);
                    }
                }

                return _results[caseName];
            }
            finally
            {
                _gate.Release();
            }
        }

        private async Task<List<string>> RunAsync(string dir)
        {
            var desired = await File.ReadAllTextAsync(Path.Combine(dir, "desired.yaml"));
            var doc = YamlJson.Parse(desired)!.AsObject();
            var beforePath = Path.Combine(dir, "live-before.json");
            var mutation = Path.Combine(dir, "mutation.sh");
            var differences = new List<string>();

            // Case 44: desired.yaml was never applied; mutation.sh applies the earlier revision.
            var appliesDesired = File.Exists(beforePath) || !File.Exists(mutation);
            if (appliesDesired)
            {
                var (status, body) = await ApplyAsync(desired, "gitops-sdk");
                if (status >= 300)
                {
                    return [$"apply failed: {status} {body}"];
                }

                differences.AddRange(await CompareAsync(doc, File.Exists(beforePath) ? beforePath : Path.Combine(dir, "live.json"), "after apply"));
            }

            if (File.Exists(mutation))
            {
                differences.AddRange(await RunMutationAsync(dir, mutation));
                differences.AddRange(await CompareAsync(doc, Path.Combine(dir, "live.json"), "after mutation"));
            }

            differences.AddRange(await CompareDryRunAsync(desired, doc, Path.Combine(dir, "dryrun.json"), force: File.Exists(mutation)));
            return differences;
        }

        /// <summary>Re-applies desired.yaml with dryRun=All (force in mutation cases) and compares with dryrun.json.</summary>
        private async Task<List<string>> CompareDryRunAsync(string desired, JsonObject doc, string expectedPath, bool force)
        {
            var expected = JsonNode.Parse(await File.ReadAllTextAsync(TestPaths.RequireFile(expectedPath)));
            using var content = new StringContent(desired, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
            using var response = await Http.PatchAsync(PathOf(doc) + $"?fieldManager=gitops-sdk&force={(force ? "true" : "false")}&dryRun=All", content);
            var actual = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            if ((string?)expected?["kind"] == "Status")
            {
                return [.. CorpusJson.Differences(expected, actual).Select(d => "dry-run: " + d)];
            }

            return [.. CorpusJson.Differences(CorpusJson.Normalize(expected), CorpusJson.Normalize(actual)).Select(d => "dry-run: " + d)];
        }

        private async Task<List<string>> CompareAsync(JsonObject doc, string expectedPath, string stage)
        {
            var expected = JsonNode.Parse(await File.ReadAllTextAsync(expectedPath));
            var url = PathOf(doc);
            using var response = await Http.GetAsync(url);
            var text = await response.Content.ReadAsStringAsync();
            if (expected is null)
            {
                return (int)response.StatusCode == 404 ? [] : [$"{stage}: expected the object to be deleted, got {(int)response.StatusCode}"];
            }

            if (!response.IsSuccessStatusCode)
            {
                return [$"{stage}: GET {url} answered {(int)response.StatusCode}: {text}"];
            }

            var actual = JsonNode.Parse(text);
            var differences = CorpusJson.Differences(CorpusJson.Normalize(expected), CorpusJson.Normalize(actual)).Select(d => stage + ": " + d).ToList();
            if (ServerWrittenStatus.Contains((string?)expected["kind"] ?? string.Empty))
            {
                // No controller fills these: the API server itself (and, for CRDs, its own naming/establishing controllers) does.
                differences.AddRange(CorpusJson.Differences(WithoutTimes(expected["status"]), WithoutTimes(actual?["status"])).Select(d => stage + ": status" + d));
            }

            return differences;
        }

        private static readonly HashSet<string> ServerWrittenStatus = new(StringComparer.Ordinal)
        {
            "Namespace", "Service", "PersistentVolumeClaim", "Ingress", "CronJob", "CustomResourceDefinition",
        };

        private static JsonNode? WithoutTimes(JsonNode? status)
        {
            var copy = status?.DeepClone();
            foreach (var condition in copy?["conditions"] as JsonArray ?? [])
            {
                (condition as JsonObject)?.Remove("lastTransitionTime");
            }

            return copy;
        }

        private async Task<List<string>> RunMutationAsync(string dir, string script)
        {
            var kubectl = TestPaths.RequireTool("kubectl");
            var errors = new List<string>();
            foreach (var line in await File.ReadAllLinesAsync(script))
            {
                var trimmed = line.Trim();
                if (!trimmed.StartsWith("kubectl ", StringComparison.Ordinal))
                {
                    continue;
                }

                var args = ShellWords(trimmed)[1..].ToList();
                args.Add("--kubeconfig");
                args.Add(Api.KubeconfigPath);
                var result = await ProcessRunner.RunAsync(kubectl, args, workingDirectory: dir);
                if (result.ExitCode != 0)
                {
                    errors.Add($"mutation '{trimmed}' failed: {result.StandardError.Trim()}");
                }
            }

            return errors;
        }

        private static List<string> ShellWords(string line)
        {
            var words = new List<string>();
            var current = new StringBuilder();
            var quote = '\0';
            var any = false;
            foreach (var c in line)
            {
                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                    else
                    {
                        current.Append(c);
                    }
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                    any = true;
                }
                else if (char.IsWhiteSpace(c))
                {
                    if (current.Length > 0 || any)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                        any = false;
                    }
                }
                else
                {
                    current.Append(c);
                }
            }

            if (current.Length > 0 || any)
            {
                words.Add(current.ToString());
            }

            return words;
        }

        public async Task<(int Status, string Body)> ApplyAsync(string yaml, string manager)
        {
            var doc = YamlJson.Parse(yaml)!.AsObject();
            using var content = new StringContent(yaml, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
            using var response = await Http.PatchAsync(PathOf(doc) + $"?fieldManager={manager}&force=false", content);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        private string PathOf(JsonObject doc)
        {
            var apiVersion = (string)doc["apiVersion"]!;
            var kind = (string)doc["kind"]!;
            var name = (string)doc["metadata"]!["name"]!;
            var ns = (string?)doc["metadata"]!["namespace"];
            return Api.PathOf(apiVersion, kind, ns, name);
        }
    }
}
