using GitOps.Sdk.Diff;
using static GitOps.Sdk.Tests.Diff.DiffTestObjects;

namespace GitOps.Sdk.Tests.Diff;

public sealed class DiffEngineTests
{
    private readonly DiffEngine _engine = new();

    private ResourceDiff Diff(KubeObject desired, KubeObject? live, KubeObject? lastApplied = null, DiffOptions? options = null) =>
        _engine.Diff(desired, live, lastApplied, options ?? DiffOptions.Default);

    private static string[] Paths(ResourceDiff diff) => [.. diff.Changes.Select(c => c.Path)];

    // ---- actions --------------------------------------------------------------------------------------------------

    [Fact]
    public void Diff_LiveMissing_CreateWithWholeObjectPath()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n"},"data":{"k":"v"}}""");

        var diff = Diff(desired, null);

        diff.Action.Should().Be(DiffAction.Create);
        diff.Changes.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "/", Kind = FieldChangeKind.Added, LiveValue = (string?)null });
        diff.NormalizedDesired!.Json.GetProperty("data").GetProperty("k").GetString().Should().Be("v");
    }

    [Fact]
    public void Diff_DesiredMissing_PruneWithoutServerFields()
    {
        var live = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n","uid":"u","resourceVersion":"7","managedFields":[]},"data":{"k":"v"}}""");

        var diff = _engine.Diff(null, live, null, DiffOptions.Default);

        diff.Action.Should().Be(DiffAction.Prune);
        diff.Key.Should().Be(new ResourceKey("", "ConfigMap", "n", "a"));
        diff.Changes.Should().ContainSingle().Which.Path.Should().Be("/");
        diff.NormalizedLive!.Metadata.TryGetProperty("uid", out _).Should().BeFalse();
        diff.NormalizedLive.Metadata.TryGetProperty("managedFields", out _).Should().BeFalse();
    }

    [Fact]
    public void Diff_BothMissing_Throws()
    {
        var act = () => _engine.Diff(null, null, null, DiffOptions.Default);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Diff_SameInstancesTwice_ReturnsRememberedResult()
    {
        var desired = Deployment("""[{"name":"a","image":"x:1"}]""");
        var live = Deployment("""[{"name":"a","image":"x:2"}]""");

        var first = Diff(desired, live);
        var second = Diff(desired, live);

        second.Should().BeSameAs(first);
        new DiffEngine(memoize: false).Diff(desired, live, null, DiffOptions.Default).Changes.Should().BeEquivalentTo(first.Changes);
    }

    // ---- server-owned fields and live-only fields ------------------------------------------------------------------

    [Fact]
    public void Diff_ServerOwnedMetadataStatusAndLiveOnlyFields_AreNotDrift()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n","uid":"other","resourceVersion":"1"},"data":{"k":"v"},"status":{"x":1}}""");
        var live = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n","uid":"u","resourceVersion":"9","generation":3,"creationTimestamp":"2026-01-01T00:00:00Z","labels":{"extra":"yes"}},"data":{"k":"v","other":"w"},"status":{"x":2}}""");

        Diff(desired, live).Action.Should().Be(DiffAction.Unchanged);
    }

    // ---- semantic equality ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("\"0.5\"", "\"500m\"")]
    [InlineData("\"1Gi\"", "\"1073741824\"")]
    [InlineData("1", "\"1\"")]
    [InlineData("\"2\"", "\"2000m\"")]
    public void Diff_ResourceQuantitiesSpelledDifferently_Unchanged(string desiredCpu, string liveCpu)
    {
        var desired = Deployment("""[{"name":"a","resources":{"limits":{"cpu":""" + desiredCpu + """}}}]""");
        var live = Deployment("""[{"name":"a","resources":{"limits":{"cpu":""" + liveCpu + """}}}]""");

        Diff(desired, live).Action.Should().Be(DiffAction.Unchanged);
    }

    [Fact]
    public void Diff_QuantityChanged_ReportsField()
    {
        var desired = Deployment("""[{"name":"a","resources":{"limits":{"memory":"512Mi"}}}]""");
        var live = Deployment("""[{"name":"a","resources":{"limits":{"memory":"1Gi"}}}]""");

        Paths(Diff(desired, live)).Should().Equal("/spec/template/spec/containers/0/resources/limits/memory");
    }

    [Fact]
    public void Diff_QuantityLikeStringsOutsideQuantityFields_CompareAsText()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"size":"1k"}}""");
        var live = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"size":"1000"}}""");

        Paths(Diff(desired, live)).Should().Equal("/data/size");
    }

    [Theory]
    [InlineData("1", "1.0")]
    [InlineData("10", "1e1")]
    [InlineData("\"8080\"", "8080")]
    [InlineData("8080", "\"8080\"")]
    public void Diff_NumbersAndIntOrStringEqualByValue_Unchanged(string desiredValue, string liveValue)
    {
        var desired = Deployment("""[{"name":"a","livenessProbe":{"httpGet":{"port":""" + desiredValue + """}}}]""");
        var live = Deployment("""[{"name":"a","livenessProbe":{"httpGet":{"port":""" + liveValue + """}}}]""");

        Diff(desired, live).Action.Should().Be(DiffAction.Unchanged);
    }

    [Theory]
    [InlineData("\"08080\"", "8080")]
    [InlineData("\"http\"", "8080")]
    [InlineData("true", "\"true\"")]
    public void Diff_DifferentTypesNotIntOrString_Drift(string desiredValue, string liveValue)
    {
        var desired = Deployment("""[{"name":"a","livenessProbe":{"httpGet":{"port":""" + desiredValue + """}}}]""");
        var live = Deployment("""[{"name":"a","livenessProbe":{"httpGet":{"port":""" + liveValue + """}}}]""");

        Paths(Diff(desired, live)).Should().Equal("/spec/template/spec/containers/0/livenessProbe/httpGet/port");
    }

    [Fact]
    public void Diff_EmptyDesiredValuesTheServerDrops_Unchanged()
    {
        var desired = Deployment(
            """[{"name":"a","args":[],"env":[],"resources":{},"workingDir":"","stdin":false}]""",
            metadata: "\"labels\":{},\"annotations\":{}",
            podSpecExtra: "\"nodeSelector\":{},\"hostNetwork\":false,\"tolerations\":null");
        var live = Deployment("""[{"name":"a","imagePullPolicy":"Always"}]""");

        Diff(desired, live).Action.Should().Be(DiffAction.Unchanged);
    }

    [Fact]
    public void Diff_EmptyDirVolumeMissingLive_Drift()
    {
        var desired = Deployment("""[{"name":"a"}]""", podSpecExtra: "\"volumes\":[{\"name\":\"tmp\",\"emptyDir\":{}}]");
        var live = Deployment("""[{"name":"a"}]""", podSpecExtra: "\"volumes\":[{\"name\":\"tmp\",\"hostPath\":{\"path\":\"/tmp\"}}]");

        Paths(Diff(desired, live)).Should().Equal("/spec/template/spec/volumes/0/emptyDir");
    }

    // ---- merge keys ----------------------------------------------------------------------------------------------

    [Fact]
    public void Diff_KeyedListsInAnotherOrder_Unchanged()
    {
        var desired = Deployment(
            """
            [{"name":"a","image":"a:1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}],
              "ports":[{"containerPort":80},{"containerPort":53,"protocol":"UDP"}],
              "volumeMounts":[{"name":"v","mountPath":"/a"},{"name":"v","mountPath":"/b","readOnly":true}]},
             {"name":"b","image":"b:1"}]
            """,
            podSpecExtra: "\"hostAliases\":[{\"ip\":\"10.0.0.1\",\"hostnames\":[\"a\"]},{\"ip\":\"10.0.0.2\",\"hostnames\":[\"b\"]}]");
        var live = Deployment(
            """
            [{"name":"b","image":"b:1"},
             {"name":"a","image":"a:1","env":[{"name":"Y","value":"2"},{"name":"X","value":"1"}],
              "ports":[{"containerPort":53,"protocol":"UDP"},{"containerPort":80,"protocol":"TCP"}],
              "volumeMounts":[{"name":"v","mountPath":"/b","readOnly":true},{"name":"v","mountPath":"/a"}]}]
            """,
            podSpecExtra: "\"hostAliases\":[{\"ip\":\"10.0.0.2\",\"hostnames\":[\"b\"]},{\"ip\":\"10.0.0.1\",\"hostnames\":[\"a\"]}]");

        Diff(desired, live).Action.Should().Be(DiffAction.Unchanged);
    }

    [Fact]
    public void Diff_KeyedItemChanged_PathUsesDesiredPosition()
    {
        var desired = Deployment("""[{"name":"a","image":"a:1"},{"name":"b","image":"b:1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]}]""");
        var live = Deployment("""[{"name":"b","image":"b:1","env":[{"name":"Y","value":"3"},{"name":"X","value":"1"}]},{"name":"a","image":"a:1"}]""");

        Paths(Diff(desired, live)).Should().Equal("/spec/template/spec/containers/1/env/1/value");
    }

    [Fact]
    public void Diff_PortProtocolDiffers_IsAnotherItem()
    {
        var desired = Deployment("""[{"name":"a","ports":[{"containerPort":53,"protocol":"UDP"}]}]""");
        var live = Deployment("""[{"name":"a","ports":[{"containerPort":53,"protocol":"TCP"}]}]""");

        var diff = Diff(desired, live);

        diff.Changes.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "/spec/template/spec/containers/0/ports/0", Kind = FieldChangeKind.Added });
    }

    [Fact]
    public void Diff_ServicePortNumberChanged_PairsByNameAndReportsThePort()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"name":"http","port":80,"targetPort":8080}]}}""");
        var live = Object("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"name":"http","port":8081,"protocol":"TCP","targetPort":8080}]}}""");

        var diff = Diff(desired, live);

        diff.Changes.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "/spec/ports/0/port", DesiredValue = "80", LiveValue = "8081" });
    }

    [Fact]
    public void Diff_AtomicListReorderedOrResized_ReportsTheList()
    {
        var desired = Deployment("""[{"name":"a","args":["--a","--b"],"command":["run"]}]""");
        var live = Deployment("""[{"name":"a","args":["--b","--a"],"command":["run","now"]}]""");

        Paths(Diff(desired, live)).Should().Equal(
            "/spec/template/spec/containers/0/args/0",
            "/spec/template/spec/containers/0/args/1",
            "/spec/template/spec/containers/0/command");
    }

    [Fact]
    public void Diff_AtomicListItemsWithServerDefaults_Unchanged()
    {
        var desired = Object("""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p"},"spec":{"ingress":[{"ports":[{"port":80}]}]}}""");
        var live = Object("""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p"},"spec":{"ingress":[{"ports":[{"port":80,"protocol":"TCP"}]}],"policyTypes":["Ingress"]}}""");

        Diff(desired, live).Action.Should().Be(DiffAction.Unchanged);
    }

    [Fact]
    public void Diff_Finalizers_AreASet()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","finalizers":["a/b","c/d"]}}""");
        var liveWithExtra = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","finalizers":["x/y","c/d","a/b"]}}""");
        var liveMissingOne = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","finalizers":["c/d"]}}""");

        Diff(desired, liveWithExtra).Action.Should().Be(DiffAction.Unchanged);
        Paths(Diff(desired, liveMissingOne)).Should().Equal("/metadata/finalizers/0");
    }

    [Fact]
    public void Diff_ListsInCustomResources_AreAtomic()
    {
        var desired = Object("""{"apiVersion":"example.io/v1","kind":"Thing","metadata":{"name":"t"},"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""");
        var live = Object("""{"apiVersion":"example.io/v1","kind":"Thing","metadata":{"name":"t"},"spec":{"containers":[{"name":"b"},{"name":"a"}]}}""");

        Paths(Diff(desired, live)).Should().Equal("/spec/containers/0/name", "/spec/containers/1/name");
    }

    [Fact]
    public void Diff_KeysWithSlashAndTilde_AreEscapedInPointers()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"example.com/a~b":"1"}}}""");
        var live = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"example.com/a~b":"2"}}}""");

        Paths(Diff(desired, live)).Should().Equal("/metadata/annotations/example.com~1a~0b");
    }

    // ---- Secrets ------------------------------------------------------------------------------------------------

    private static KubeObject LiveSecret(string data) =>
        Object("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"n"},"type":"Opaque","data":{""" + data + """}}""");

    [Fact]
    public void Diff_SecretStringDataMatchesBase64Data_Unchanged()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"n"},"stringData":{"password":"hunter2"},"data":{"user":"YWRtaW4="}}""");

        Diff(desired, LiveSecret("\"password\":\"aHVudGVyMg==\",\"user\":\"YWRtaW4=\"")).Action.Should().Be(DiffAction.Unchanged);
    }

    [Fact]
    public void Diff_SecretChanged_ValuesMaskedEverywhere()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"n"},"stringData":{"password":"hunter2","token":"t0ken-plain"},"data":{"user":"YWRtaW4="}}""");
        var live = LiveSecret("\"password\":\"b3RoZXItc2VjcmV0\",\"user\":\"cm9vdA==\"");
        var desiredBytes = desired.Utf8Json.ToArray();

        var diff = Diff(desired, live);
        var text = _engine.FormatUnified(diff);

        Paths(diff).Should().BeEquivalentTo("/data/user", "/stringData/password", "/stringData/token");
        diff.Changes.Should().OnlyContain(c => (c.DesiredValue == null || c.DesiredValue == "***") && (c.LiveValue == null || c.LiveValue == "***"));
        var everything = text + diff.NormalizedDesired!.ToJsonString() + diff.NormalizedLive!.ToJsonString();
        foreach (var secret in new[] { "hunter2", "aHVudGVyMg", "b3RoZXItc2VjcmV0", "other-secret", "YWRtaW4", "cm9vdA", "t0ken-plain", "admin", "root" })
        {
            everything.Should().NotContain(secret);
        }

        text.Should().Contain("-  password: \"*** (live)\"").And.Contain("+  password: \"*** (desired)\"");
        desired.Utf8Json.ToArray().Should().Equal(desiredBytes, "masking must never touch the object that is applied");
        desired.Json.GetProperty("stringData").GetProperty("password").GetString().Should().Be("hunter2");
    }

    // ---- three-way ----------------------------------------------------------------------------------------------

    private static KubeObject LiveWithManagedFields(string manager) =>
        Object("""
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"shop","labels":{"app":"web","canary":"true"},
          "managedFields":[{"manager":"MANAGER","operation":"Apply","apiVersion":"apps/v1","time":"2026-11-27T10:00:00Z","fieldsType":"FieldsV1",
            "fieldsV1":{"f:metadata":{"f:labels":{"f:app":{},"f:canary":{}}},
                        "f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:name":{},"f:env":{"k:{\"name\":\"OLD\"}":{".":{},"f:name":{},"f:value":{}}}}}}}}}}]},
         "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
          "spec":{"containers":[{"name":"a","env":[{"name":"KEEP","value":"1"},{"name":"OLD","value":"x"}]}]}}}}
        """.Replace("MANAGER", manager, StringComparison.Ordinal));

    [Fact]
    public void Diff_FieldsOwnedByOurManagerButNoLongerDesired_AreRemoved()
    {
        var desired = Deployment("""[{"name":"a"}]""", metadata: "\"labels\":{\"app\":\"web\"}");

        var diff = Diff(desired, LiveWithManagedFields("gitops-sdk"));

        diff.Changes.Select(c => (c.Path, c.Kind)).Should().BeEquivalentTo(new[]
        {
            ("/metadata/labels/canary", FieldChangeKind.Removed),
            ("/spec/template/spec/containers/0/env/1", FieldChangeKind.Removed),
        });
        diff.Changes[0].Attribution.Should().Be(new FieldAttribution("gitops-sdk", "Apply", DateTimeOffset.Parse("2026-11-27T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        _engine.FormatUnified(diff).Should().Contain("-    canary: \"true\"");
    }

    [Fact]
    public void Diff_FieldsOwnedByAnotherManager_AreNotRemoved()
    {
        var desired = Deployment("""[{"name":"a"}]""", metadata: "\"labels\":{\"app\":\"web\"}");

        Diff(desired, LiveWithManagedFields("someone-else")).Action.Should().Be(DiffAction.Unchanged);
        Diff(desired, LiveWithManagedFields("gitops-sdk"), options: new DiffOptions { FieldManager = "other" }).Action.Should().Be(DiffAction.Unchanged);
    }

    [Fact]
    public void Diff_LastAppliedGiven_UsesItInsteadOfManagedFields()
    {
        var desired = Deployment("""[{"name":"a"}]""", metadata: "\"labels\":{\"app\":\"web\"}");
        var lastApplied = Deployment("""[{"name":"a","env":[{"name":"KEEP","value":"1"}]}]""", metadata: "\"labels\":{\"app\":\"web\"}");

        var diff = Diff(desired, LiveWithManagedFields("gitops-sdk"), lastApplied);

        diff.Changes.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "/spec/template/spec/containers/0/env/0", Kind = FieldChangeKind.Removed });
    }

    [Fact]
    public void Diff_LastAppliedFieldAlreadyGoneLive_IsNotDrift()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}""");
        var lastApplied = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"x":"1"}},"data":{"k":"v","gone":"1"}}""");
        var live = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}""");

        Diff(desired, live, lastApplied).Action.Should().Be(DiffAction.Unchanged);
    }

    // ---- ignore rules -------------------------------------------------------------------------------------------

    private static (KubeObject Desired, KubeObject Live) ScaledAndRetagged() => (
        Deployment("""[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]""", extraSpec: "\"replicas\":2"),
        Object("""
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"shop","managedFields":[
           {"manager":"hpa-controller","operation":"Update","apiVersion":"apps/v1","subresource":"scale","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}},
           {"manager":"image-bot","operation":"Update","apiVersion":"apps/v1","time":"2026-11-27T10:42:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"b\"}":{"f:image":{}}}}}}}}]},
         "spec":{"replicas":5,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
          "spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}}}}
        """));

    [Fact]
    public void Diff_NoRules_ReportsBothWithAttribution()
    {
        var (desired, live) = ScaledAndRetagged();

        var diff = Diff(desired, live);

        diff.Changes.Select(c => (c.Path, c.Attribution?.ToString())).Should().Equal(
            ("/spec/replicas", "hpa-controller (Update via scale)"),
            ("/spec/template/spec/containers/1/image", "image-bot (Update) at 2026-11-27T10:42:00Z"));
    }

    [Theory]
    [InlineData("apps", "Deployment", null, null, "/spec/replicas")]
    [InlineData("apps", "Deploy*", "shop", "web", "/spec/replicas")]
    [InlineData("/^ap+s$/", "/Deployment|StatefulSet/", "*", "w*", "/spec/replicas")]
    [InlineData(null, null, null, null, "/spec/template/spec/containers/*/image")]
    public void Diff_PointerRuleSelectingTheObject_IgnoresThePointer(string? group, string? kind, string? ns, string? name, string pointer)
    {
        var (desired, live) = ScaledAndRetagged();
        var options = new DiffOptions { IgnoreRules = [new IgnoreRule { Group = group, Kind = kind, Namespace = ns, Name = name, JsonPointers = [pointer] }] };

        var diff = Diff(desired, live, options: options);

        diff.Changes.Should().ContainSingle().Which.Path.Should().NotMatch(pointer.Replace("*", "1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "Deployment", null)]
    [InlineData("apps", "StatefulSet", null)]
    [InlineData("apps", "Deployment", "other")]
    [InlineData("apps", "/^Deploy$/", null)]
    public void Diff_PointerRuleNotSelectingTheObject_StillReports(string group, string kind, string? name)
    {
        var (desired, live) = ScaledAndRetagged();
        var options = new DiffOptions { IgnoreRules = [new IgnoreRule { Group = group, Kind = kind, Name = name, JsonPointers = ["/spec/replicas"] }] };

        Diff(desired, live, options: options).Changes.Should().HaveCount(2);
    }

    [Fact]
    public void Diff_ManagerRule_IgnoresFieldsThatManagerOwns()
    {
        var (desired, live) = ScaledAndRetagged();
        var hpa = new DiffOptions { IgnoreRules = [new IgnoreRule { ManagedFieldsManagers = ["hpa-controller"] }] };
        var both = new DiffOptions
        {
            IgnoreRules =
            [
                new IgnoreRule { Kind = "Deployment", ManagedFieldsManagers = ["hpa-controller"] },
                new IgnoreRule { ManagedFieldsManagers = ["image-bot"] },
            ],
        };

        Paths(Diff(desired, live, options: hpa)).Should().Equal("/spec/template/spec/containers/1/image");
        Diff(desired, live, options: both).Action.Should().Be(DiffAction.Unchanged);
    }

    [Fact]
    public void Diff_WholeObjectPointer_IgnoresEverything()
    {
        var (desired, live) = ScaledAndRetagged();
        var options = new DiffOptions { IgnoreRules = [new IgnoreRule { Name = "web", JsonPointers = ["/"] }] };

        Diff(desired, live, options: options).Action.Should().Be(DiffAction.Unchanged);
    }

    [Fact]
    public void Diff_IgnoredFieldRemovedFromDesired_IsNotReported()
    {
        var desired = Deployment("""[{"name":"a"}]""", metadata: "\"labels\":{\"app\":\"web\"}");
        var options = new DiffOptions { IgnoreRules = [new IgnoreRule { JsonPointers = ["/metadata/labels/canary", "/spec/template/spec/containers/*/env"] }] };

        Diff(desired, LiveWithManagedFields("gitops-sdk"), options: options).Action.Should().Be(DiffAction.Unchanged);
    }

    [Fact]
    public void Diff_InvalidPointer_Throws()
    {
        var (desired, live) = ScaledAndRetagged();
        var options = new DiffOptions { IgnoreRules = [new IgnoreRule { JsonPointers = ["spec/replicas"] }] };

        var act = () => Diff(desired, live, options: options);

        act.Should().Throw<ArgumentException>().WithMessage("*spec/replicas*");
    }

    // ---- unified text -------------------------------------------------------------------------------------------

    [Fact]
    public void FormatUnified_ChangedField_PrintsKubectlStyleHunk()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n"},"data":{"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6"}}""");
        var live = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n"},"data":{"a":"1","b":"2","c":"3","d":"4","e":"five","f":"6"}}""");
        var diff = Diff(desired, live);

        var text = _engine.FormatUnified(diff, contextLines: 1);

        text.Should().Be(
            """
            --- live/ConfigMap/n/a
            +++ desired/ConfigMap/n/a
            @@ -10,3 +10,3 @@
               d: "4"
            -  e: five
            +  e: "5"
               f: "6"

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void FormatUnified_Unchanged_IsEmpty()
    {
        var obj = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}""");

        _engine.FormatUnified(Diff(obj, obj)).Should().BeEmpty();
    }

    [Fact]
    public void FormatUnified_Create_AllLinesAdded()
    {
        var desired = Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"line1\nline2\n"}}""");

        var text = _engine.FormatUnified(Diff(desired, null));

        text.Should().Be(
            """
            --- live/ConfigMap/a
            +++ desired/ConfigMap/a
            @@ -0,0 +1,8 @@
            +apiVersion: v1
            +kind: ConfigMap
            +metadata:
            +  name: a
            +data:
            +  k: |
            +    line1
            +    line2

            """.ReplaceLineEndings("\n"));
    }
}

public sealed class DiffEngineReserializedTests
{
    [Fact]
    public void Diff_LiveReserializedWithEscapedManagedFieldKeys_StillFindsRemovedItemsAndOwners()
    {
        // System.Text.Json writes the quotes inside k:{"name":"a"} as \u0022; keys must still decode.
        var live = KubeObject.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop","managedFields":[
              {"manager":"gitops-sdk","operation":"Apply","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{
                "k:{\"name\":\"a\"}":{".":{},"f:name":{},"f:env":{"k:{\"name\":\"OLD\"}":{".":{},"f:name":{},"f:value":{}}}}}}}}}},
              {"manager":"kubectl-set","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{
                "k:{\"name\":\"a\"}":{"f:image":{}}}}}}}}]},
             "spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:2","env":[{"name":"OLD","value":"x"}]}]}}}}
            """).With(_ => { });
        live.ToJsonString().Should().Contain("\\u0022name\\u0022");
        var desired = KubeObject.Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"}]}}}}""");

        var diff = new DiffEngine().Diff(desired, live, null, DiffOptions.Default);

        diff.Changes.Select(c => (c.Path, c.Kind, c.Attribution?.Manager)).Should().BeEquivalentTo(new[]
        {
            ("/spec/template/spec/containers/0/image", FieldChangeKind.Changed, "kubectl-set"),
            ("/spec/template/spec/containers/0/env/0", FieldChangeKind.Removed, "gitops-sdk"),
        });
    }
}

public sealed class DiffEngineFingerprintTests
{
    [Fact]
    public void Diff_NewLiveInstanceWithOnlyStatusChanged_StaysUnchanged_AndLaterSpecChangesAreStillSeen()
    {
        var (desired, live, _) = DiffEngineCorpusTests.Load("09-deployment-realistic");
        var engine = new DiffEngine(memoize: false, fingerprints: true);
        engine.Diff(desired, live, null, DiffOptions.Default).Action.Should().Be(DiffAction.Unchanged);

        var statusMoved = live!.With(o =>
        {
            o["metadata"]!["resourceVersion"] = "99999";
            o["status"] = new System.Text.Json.Nodes.JsonObject { ["observedGeneration"] = 7 };
        });
        var imageChanged = live.With(o => o["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "registry.example.com/shop/api:9");
        var labelChanged = live.With(o => o["metadata"]!["labels"]!["app.kubernetes.io/part-of"] = "other");
        var ownedMore = live.With(o =>
        {
            o["metadata"]!["labels"]!["stale"] = "yes";
            var fields = o["metadata"]!["managedFields"]![0]!["fieldsV1"]!["f:metadata"]!["f:labels"]!.AsObject();
            fields["f:stale"] = new System.Text.Json.Nodes.JsonObject();
        });
        live.Json.GetProperty("metadata").GetProperty("managedFields")[0].GetProperty("manager").GetString().Should().Be("gitops-sdk");

        engine.Diff(desired, statusMoved, null, DiffOptions.Default).Action.Should().Be(DiffAction.Unchanged);
        engine.Diff(desired, imageChanged, null, DiffOptions.Default).Changes.Select(c => c.Path).Should().Equal("/spec/template/spec/containers/0/image");
        engine.Diff(desired, labelChanged, null, DiffOptions.Default).Changes.Select(c => c.Path).Should().Equal("/metadata/labels/app.kubernetes.io~1part-of");
        engine.Diff(desired, ownedMore, null, DiffOptions.Default).Changes.Select(c => (c.Path, c.Kind)).Should().Equal(("/metadata/labels/stale", FieldChangeKind.Removed));
        engine.Diff(desired, statusMoved, null, DiffOptions.Default with { FieldManager = "other" }).Action.Should().Be(DiffAction.Unchanged);
    }
}
