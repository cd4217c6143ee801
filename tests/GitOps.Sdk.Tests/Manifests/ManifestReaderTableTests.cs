using System.Text;
using GitOps.Sdk.Manifests;

namespace GitOps.Sdk.Tests.Manifests;

/// <summary>
/// The parser's table: each case is a YAML stream and either the exact objects it yields (compact JSON, one per line,
/// each followed by its origin <c>#document@line:column</c>) or the exact first error (<c>code#document@line:column</c>).
/// Kubernetes meanings were checked against kubectl v1.32 (<c>kubectl annotate --local -o json</c>, which decodes the
/// file exactly as <c>kubectl apply</c> does).
/// </summary>
public sealed class ManifestReaderTableTests
{
    private const string Cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
    private const string CmJson = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}";

    private static string Spec(string json) => CmJson + ",\"spec\":" + json + "}#0@1:1";

    public static readonly Dictionary<string, (string Yaml, string Expected)> Cases = new()
    {
        // --- scalars typed as kubectl types them ---
        ["plain-int"] = (Cm + "spec:\n  a: 80\n  b: -5\n  c: +5\n  d: 0\n", Spec("{\"a\":80,\"b\":-5,\"c\":5,\"d\":0}")),
        ["quoted-int-stays-string"] = (Cm + "spec:\n  a: \"80\"\n  b: '80'\n  c: \"0755\"\n", Spec("{\"a\":\"80\",\"b\":\"80\",\"c\":\"0755\"}")),
        ["bool-words"] = (Cm + "spec:\n  a: true\n  b: False\n  c: TRUE\n", Spec("{\"a\":true,\"b\":false,\"c\":true}")),
        ["yaml11-bool-words"] = (Cm + "spec:\n  a: yes\n  b: no\n  c: on\n  d: off\n  e: y\n  f: N\n  g: Yes\n  h: OFF\n", Spec("{\"a\":true,\"b\":false,\"c\":true,\"d\":false,\"e\":true,\"f\":false,\"g\":true,\"h\":false}")),
        ["bool-lookalikes-are-strings"] = (Cm + "spec:\n  a: tRue\n  b: yES\n  c: \"yes\"\n  d: 'on'\n", Spec("{\"a\":\"tRue\",\"b\":\"yES\",\"c\":\"yes\",\"d\":\"on\"}")),
        ["null-forms"] = (Cm + "spec:\n  a: null\n  b: ~\n  c:\n  d: Null\n  e: NULL\n", Spec("{\"a\":null,\"b\":null,\"c\":null,\"d\":null,\"e\":null}")),
        ["quoted-null-is-string"] = (Cm + "spec:\n  a: \"null\"\n  b: '~'\n  c: \"\"\n", Spec("{\"a\":\"null\",\"b\":\"~\",\"c\":\"\"}")),
        ["floats"] = (Cm + "spec:\n  a: 1.5\n  b: 1.0\n  c: 1e3\n  d: .5\n  e: 5.\n  f: -0.0\n  g: 1.50\n", Spec("{\"a\":1.5,\"b\":1,\"c\":1000,\"d\":0.5,\"e\":5,\"f\":0,\"g\":1.5}")),
        ["float-go-format"] = (Cm + "spec:\n  a: 1e21\n  b: 1e-7\n  c: 0.000001\n  d: 12345678912345678912345.0\n  e: -1.5e-10\n  f: 100000000000000000000.0\n", Spec("{\"a\":1e+21,\"b\":1e-7,\"c\":0.000001,\"d\":1.234567891234568e+22,\"e\":-1.5e-10,\"f\":100000000000000000000}")),
        ["go-integer-literals"] = (Cm + "spec:\n  a: 0x1F\n  b: 0755\n  c: 0o17\n  d: 0b101\n  e: 1_000\n  f: 08\n  g: -0x10\n", Spec("{\"a\":31,\"b\":493,\"c\":15,\"d\":5,\"e\":1000,\"f\":8,\"g\":-16}")),
        ["big-integers"] = (Cm + "spec:\n  a: 9223372036854775807\n  b: 9223372036854775808\n  c: 123456789012345678901234567890\n  d: 0xFFFFFFFFFFFFFFFFF\n  e: -9223372036854775808\n", Spec("{\"a\":9223372036854775807,\"b\":9223372036854776000,\"c\":1.2345678901234568e+29,\"d\":\"0xFFFFFFFFFFFFFFFFF\",\"e\":-9223372036854775808}")),
        ["go-literal-edge-cases"] = (Cm + "spec:\n  a: 1e400\n  b: 0x_1F\n  c: 1__0\n  d: -0b11\n  e: 0B11\n  f: +0o7\n  g: 00\n  h: 1.5_0\n", Spec("{\"a\":\"1e400\",\"b\":31,\"c\":10,\"d\":-3,\"e\":3,\"f\":7,\"g\":0,\"h\":1.5}")),
        ["number-lookalikes-are-strings"] = (Cm + "spec:\n  a: 2026-01-15\n  b: 1:20\n  c: 1.2.3\n  d: 0x\n  e: 1e\n  f: v1\n  g: 2001-12-14t21:59:43.10-05:00\n", Spec("{\"a\":\"2026-01-15\",\"b\":\"1:20\",\"c\":\"1.2.3\",\"d\":\"0x\",\"e\":\"1e\",\"f\":\"v1\",\"g\":\"2001-12-14t21:59:43.10-05:00\"}")),
        ["block-scalars"] = (Cm + "spec:\n  lit: |\n    l1\n    l2\n  strip: |-\n    x\n  fold: >\n    a\n    b\n  keep: |+\n    k\n\n  after: 1\n", Spec("{\"lit\":\"l1\\nl2\\n\",\"strip\":\"x\",\"fold\":\"a b\\n\",\"keep\":\"k\\n\\n\",\"after\":1}")),
        ["plain-multiline-folds"] = (Cm + "spec:\n  a: one\n    two\n", Spec("{\"a\":\"one two\"}")),
        ["escapes-and-unicode"] = (Cm + "spec:\n  a: \"tab\\there\\u00e9\"\n  b: héllo ✓ <&>\n  c: \"quote\\\"s\"\n", Spec("{\"a\":\"tab\\there\u00e9\",\"b\":\"héllo ✓ <&>\",\"c\":\"quote\\\"s\"}")),
        ["explicit-tags"] = (Cm + "spec:\n  a: !!str 80\n  b: !!int \"80\"\n  c: !!float 1\n  d: !!bool \"yes\"\n  e: !custom 5\n  f: ! true\n", Spec("{\"a\":\"80\",\"b\":80,\"c\":1,\"d\":true,\"e\":\"5\",\"f\":\"true\"}")),
        ["non-string-keys"] = (Cm + "spec:\n  yes: a\n  0x1F: b\n  1.5: c\n  1e3: d\n  7: e\n  off: f\n", Spec("{\"true\":\"a\",\"31\":\"b\",\"1.5\":\"c\",\"1000\":\"d\",\"7\":\"e\",\"false\":\"f\"}")),
        ["flow-collections"] = (Cm + "spec: {a: [1, \"2\", {b: c}], d: []}\n", Spec("{\"a\":[1,\"2\",{\"b\":\"c\"}],\"d\":[]}")),

        // --- anchors, aliases, merge keys ---
        ["anchor-alias"] = (Cm + "spec:\n  base: &b {x: 1}\n  copy: *b\n  list: &l [a, b]\n  again: *l\n  s: &s text\n  t: *s\n", Spec("{\"base\":{\"x\":1},\"copy\":{\"x\":1},\"list\":[\"a\",\"b\"],\"again\":[\"a\",\"b\"],\"s\":\"text\",\"t\":\"text\"}")),
        ["merge-key"] = (Cm + "spec:\n  base: &b {p: 1, q: 2}\n  merged:\n    <<: *b\n    q: 3\n", Spec("{\"base\":{\"p\":1,\"q\":2},\"merged\":{\"p\":1,\"q\":3}}")),
        ["merge-key-explicit-first"] = (Cm + "spec:\n  base: &b {p: 1, q: 2}\n  merged:\n    q: 3\n    <<: *b\n", Spec("{\"base\":{\"p\":1,\"q\":2},\"merged\":{\"q\":3,\"p\":1}}")),
        ["y-and-n-keys-are-booleans"] = (Cm + "spec:\n  x: 1\n  y: 2\n  n: 3\n", Spec("{\"x\":1,\"true\":2,\"false\":3}")),
        ["merge-key-sequence-earlier-wins"] = (Cm + "spec:\n  a: &a {x: 1}\n  b: &b {x: 2, z: 9}\n  m:\n    <<: [*a, *b, {w: 0}]\n", Spec("{\"a\":{\"x\":1},\"b\":{\"x\":2,\"z\":9},\"m\":{\"x\":1,\"z\":9,\"w\":0}}")),
        ["quoted-merge-is-a-key"] = (Cm + "spec:\n  \"<<\": 1\n", Spec("{\"<<\":1}")),
        ["alias-as-key"] = (Cm + "spec:\n  k: &k name\n  *k : v\n", Spec("{\"k\":\"name\",\"name\":\"v\"}")),

        // --- documents ---
        ["multi-document"] = (Cm + "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n", CmJson + "}#0@1:1\n{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}}#1@6:1"),
        ["empty-documents-skipped-but-counted"] = ("---\n---\n# only a comment\n---\nnull\n---\n" + Cm, CmJson + "}#3@7:1"),
        ["comment-prelude-is-no-document"] = ("# header\n# more\n---\n" + Cm, CmJson + "}#0@4:1"),
        ["document-end-markers"] = (Cm + "...\n---\n" + Cm.Replace("name: c", "name: d", StringComparison.Ordinal) + "...\n", CmJson + "}#0@1:1\n" + CmJson.Replace("\"c\"", "\"d\"", StringComparison.Ordinal) + "}#1@7:1"),
        ["comments-everywhere"] = ("# top\napiVersion: v1 # trailing\nkind: ConfigMap\n# between\nmetadata:\n  name: c # n\ndata:\n  a: \"#not-a-comment\"\n  b: x#y\n", CmJson + ",\"data\":{\"a\":\"#not-a-comment\",\"b\":\"x#y\"}}#0@2:1"),
        ["empty-stream"] = (string.Empty, string.Empty),
        ["only-comments"] = ("# nothing here\n", string.Empty),
        ["json-document"] = ("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}, \"data\": {\"a\": \"1\"}, \"n\": 1.0}", CmJson + ",\"data\":{\"a\":\"1\"},\"n\":1}#0@1:1"),
        ["crlf-and-bom"] = ("\uFEFFapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: c\r\n", CmJson + "}#0@1:1"),
        ["indentless-sequence"] = (Cm + "spec:\n  l:\n  - a\n  - b: 1\n    c: 2\n", Spec("{\"l\":[\"a\",{\"b\":1,\"c\":2}]}")),

        // --- lists ---
        ["kind-list-expanded"] = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: b\n", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}#0@4:3\n{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"b\"}}#0@8:3"),
        ["typed-list-expanded"] = ("apiVersion: v1\nkind: ConfigMapList\nmetadata: {resourceVersion: \"1\"}\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}#0@5:3"),
        ["empty-list"] = ("apiVersion: v1\nkind: List\nitems: []\n", string.Empty),
        ["list-without-items"] = ("apiVersion: v1\nkind: List\n", string.Empty),
        ["list-suffix-kind-without-items-is-an-object"] = ("apiVersion: example.com/v1\nkind: PlayList\nmetadata:\n  name: p\n", "{\"apiVersion\":\"example.com/v1\",\"kind\":\"PlayList\",\"metadata\":{\"name\":\"p\"}}#0@1:1"),

        // --- names ---
        ["rbac-name-with-colon"] = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: system:controller:x\n", "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"system:controller:x\"}}#0@1:1"),
        ["subdomain-name-with-dots"] = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n", "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\",\"metadata\":{\"name\":\"widgets.example.com\"}}#0@1:1"),
        ["configmap-name-may-start-with-digit"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 1abc\n  namespace: shop\n", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"1abc\",\"namespace\":\"shop\"}}#0@1:1"),
        ["service-name-must-start-with-letter"] = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: 1svc\n", "invalid-name#0@4:9"),
        ["uppercase-name"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Web\n", "invalid-name#0@4:9"),
        ["namespace-name-with-dot"] = ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a.b\n", "invalid-name#0@4:9"),
        ["rbac-name-with-slash"] = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: a/b\n", "invalid-name#0@4:9"),
        ["invalid-namespace"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: Shop_1\n", "invalid-namespace#0@5:14"),
        ["name-too-long"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + new string('a', 254) + "\n", "invalid-name#0@4:9"),
        ["numeric-name-is-not-a-string"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 80\n", "invalid-field#0@4:9"),

        // --- refused documents ---
        ["duplicate-key"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n", "duplicate-key#0@5:3"),
        ["duplicate-key-top-level"] = (Cm + "data: {}\ndata: {}\n", "duplicate-key#0@6:1"),
        ["duplicate-key-flow"] = (Cm + "spec: {a: 1, a: 2}\n", "duplicate-key#0@5:14"),
        ["duplicate-key-in-big-mapping"] = (Cm + "spec:\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"  k{i}: {i}\n")) + "  k3: again\n", "duplicate-key#0@26:3"),
        ["scalar-document"] = ("hello\n", "not-a-mapping#0@1:1"),
        ["sequence-document"] = ("---\n- a\n- b\n", "not-a-mapping#0@2:1"),
        ["missing-api-version"] = ("kind: ConfigMap\nmetadata:\n  name: c\n", "missing-api-version#0@1:1"),
        ["missing-kind"] = ("apiVersion: v1\nmetadata:\n  name: c\n", "missing-kind#0@1:1"),
        ["missing-metadata"] = ("apiVersion: v1\nkind: ConfigMap\n", "missing-name#0@1:1"),
        ["missing-name"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n", "missing-name#0@4:3"),
        ["empty-name"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"\"\n", "missing-name#0@4:9"),
        ["api-version-not-a-string"] = ("apiVersion: 1\nkind: ConfigMap\nmetadata:\n  name: c\n", "invalid-field#0@1:13"),
        ["metadata-not-a-mapping"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata: [a]\n", "invalid-field#0@3:11"),
        ["list-item-not-a-mapping"] = ("apiVersion: v1\nkind: List\nitems:\n- just text\n", "invalid-list#0@4:3"),
        ["list-items-not-a-sequence"] = ("apiVersion: v1\nkind: List\nitems: {a: b}\n", "invalid-list#0@3:8"),
        ["list-item-without-kind"] = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata: {name: a}\n", "missing-kind#0@4:3"),
        ["unknown-anchor"] = (Cm + "spec:\n  a: *nope\n", "unknown-anchor#0@6:6"),
        ["anchors-do-not-cross-documents"] = (Cm + "data:\n  a: &x one\n---\n" + Cm + "spec:\n  b: *x\n", "unknown-anchor#1@13:6"),
        ["infinity"] = (Cm + "spec:\n  a: .inf\n", "unsupported-value#0@6:6"),
        ["not-a-number"] = (Cm + "spec:\n  a: .NaN\n", "unsupported-value#0@6:6"),
        ["tag-mismatch"] = (Cm + "spec:\n  a: !!int abc\n", "unsupported-value#0@6:6"),
        ["null-key"] = (Cm + "spec:\n  ~: x\n", "unsupported-key#0@6:3"),
        ["complex-key"] = (Cm + "spec:\n  ? [a, b]\n  : c\n", "unsupported-key#0@6:5"),
        ["invalid-merge"] = (Cm + "spec:\n  <<: 5\n", "invalid-merge#0@6:7"),
        ["syntax-unclosed-flow"] = (Cm + "spec: [1, 2\n", "yaml-syntax#0@6:1"),
        ["syntax-tab-indent"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: c\n", "yaml-syntax#0@4:1"),
        ["error-in-second-document-drops-all"] = (Cm + "---\napiVersion: v1\nkind: Secret\n", "missing-name#1@6:1"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Read_Case_YieldsExactObjectsOrError(string name)
    {
        var (yaml, expected) = Cases[name];

        var result = new ManifestReader().Read(yaml, "case.yaml");

        Describe(result).Should().Be(expected, because: $"case '{name}' with errors [{string.Join("; ", result.Errors)}]");
        if (result.Succeeded)
        {
            foreach (var o in result.Objects)
            {
                o.Origin!.File.Should().Be("case.yaml");
            }
        }
        else
        {
            result.Objects.Should().BeEmpty("a stream with errors yields no objects");
            result.Errors.Should().OnlyContain(e => e.File == "case.yaml" && e.Message.Length > 0);
        }
    }

    [Fact]
    public void Cases_TableIsLargeEnough() => Cases.Count.Should().BeGreaterThanOrEqualTo(40);

    [Fact]
    public void Read_ErrorsInSeveralDocuments_ReportsEach()
    {
        var yaml = "kind: ConfigMap\nmetadata: {name: a}\n---\n" + Cm + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: B}\n";

        var result = new ManifestReader().Read(yaml, "f.yaml");

        result.Errors.Select(e => $"{e.Code}#{e.DocumentIndex}@{e.Line}:{e.Column}").Should().Equal(
            "missing-api-version#0@1:1", "invalid-name#2@11:18");
        result.Errors[1].Object.Should().Be(new ResourceKey(string.Empty, "ConfigMap", string.Empty, "B"));
        result.Errors[1].ToString().Should().Be("f.yaml:11:18: document 2: /ConfigMap//B: metadata.name 'B' is not a valid ConfigMap name: it must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit");
    }

    [Fact]
    public void Read_BillionLaughs_RefusedWithoutExpanding()
    {
        var sb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 10; i++)
        {
            sb.Append($"a{i}: &a{i} [").AppendJoin(", ", Enumerable.Repeat($"*a{i - 1}", 10)).Append("]\n");
        }

        var result = new ManifestReader().Read(sb.ToString(), "bomb.yaml");

        result.Errors.Should().ContainSingle().Which.Code.Should().Be(ManifestErrorCodes.AliasLimit);
        result.Errors[0].Line.Should().Be(6, "a5 expands to 1,111,111 nodes, beyond the default 1,000,000");
    }

    [Fact]
    public void Read_LargeStringAliasedManyTimes_RefusedBySize()
    {
        var big = new string('x', 100_000);
        var yaml = $"{Cm}spec:\n  s: &s {big}\n  l: [{string.Join(", ", Enumerable.Repeat("*s", 500))}]\n";

        var result = new ManifestReader().Read(yaml, "f.yaml");

        result.Errors.Should().ContainSingle().Which.Code.Should().Be(ManifestErrorCodes.AliasLimit);
    }

    [Fact]
    public void Read_DeepFlowNesting_RefusedAtLimit()
    {
        var yaml = Cm + "spec: " + new string('[', 5000) + new string(']', 5000) + "\n";

        var result = new ManifestReader().Read(yaml, "deep.yaml");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be(ManifestErrorCodes.DepthLimit);
        (error.Line, error.Column).Should().Be((5, 7 + 99), "the root mapping is depth 1 and the 100th bracket is depth 101");
    }

    [Fact]
    public void Read_DeepBlockNesting_RefusedAtLimit()
    {
        var sb = new StringBuilder(Cm).Append("spec:\n");
        for (var i = 1; i <= 150; i++)
        {
            sb.Append(' ', i).Append('k').Append(i).Append(":\n");
        }

        var result = new ManifestReader(new ManifestReaderOptions { MaxDepth = 20 }).Read(sb.ToString(), "deep.yaml");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be(ManifestErrorCodes.DepthLimit);
        error.Line.Should().Be(5 + 20, "spec's value is depth 2, so the mapping holding k20 (line 25) is depth 21");
    }

    [Fact]
    public void Read_AliasThatNestsTooDeep_Refused()
    {
        var yaml = Cm + "spec:\n  a: &a [[[[[1]]]]]\n  b: [[[[[[*a]]]]]]\n";

        var result = new ManifestReader(new ManifestReaderOptions { MaxDepth = 10 }).Read(yaml, "f.yaml");

        result.Errors.Should().ContainSingle().Which.Code.Should().Be(ManifestErrorCodes.DepthLimit);
    }

    [Fact]
    public void Read_DocumentOverLimit_Refused()
    {
        var yaml = Cm + "---\n" + Cm + "data:\n  big: " + new string('x', 2000) + "\n";

        var result = new ManifestReader(new ManifestReaderOptions { MaxDocumentBytes = 1000 }).Read(yaml, "f.yaml");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be(ManifestErrorCodes.DocumentTooLarge);
        error.DocumentIndex.Should().Be(1);
    }

    [Fact]
    public void Read_StreamOverLimit_RefusedBeforeParsing()
    {
        var result = new ManifestReader(new ManifestReaderOptions { MaxStreamBytes = 10 }).Read(Cm, "f.yaml");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be(ManifestErrorCodes.StreamTooLarge);
        (error.DocumentIndex, error.Line).Should().Be((-1, 0));
    }

    [Fact]
    public void Read_StreamOverLimitInUtf8Only_Refused()
    {
        var result = new ManifestReader(new ManifestReaderOptions { MaxStreamBytes = 100 }).Read(Cm + "data:\n  a: " + new string('é', 30) + "\n", "f.yaml");

        result.Errors.Should().ContainSingle().Which.Code.Should().Be(ManifestErrorCodes.StreamTooLarge);
    }

    [Fact]
    public void Read_TooManyNodes_Refused()
    {
        var yaml = Cm + "spec: [" + string.Join(",", Enumerable.Repeat("1", 200)) + "]\n";

        var result = new ManifestReader(new ManifestReaderOptions { MaxNodes = 100 }).Read(yaml, "f.yaml");

        result.Errors.Should().ContainSingle().Which.Code.Should().Be(ManifestErrorCodes.NodeLimit);
    }

    [Fact]
    public void Read_RequireNameOff_AcceptsNamelessObjects()
    {
        var result = new ManifestReader(new ManifestReaderOptions { RequireName = false }).Read("apiVersion: v1\nkind: Status\nstatus: Failure\n", "s.json");

        result.Succeeded.Should().BeTrue();
        result.Objects.Single().Key.Should().Be(new ResourceKey(string.Empty, "Status", string.Empty, string.Empty));
    }

    [Fact]
    public void Read_ValidateNamesOff_AcceptsAnyName()
    {
        var result = new ManifestReader(new ManifestReaderOptions { ValidateNames = false }).Read("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_Valid\n", "f.yaml");

        result.Objects.Single().Name.Should().Be("Not_Valid");
    }

    [Fact]
    public void Read_Object_CarriesKeyAndOrigin()
    {
        var result = new ManifestReader().Read("# c\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n", "apps/web.yaml");

        var obj = result.Objects.Single();
        obj.Key.Should().Be(new ResourceKey("apps", "Deployment", "shop", "web"));
        obj.Origin.Should().Be(new ObjectOrigin("apps/web.yaml", 0, 3, 1));
    }

    [Fact]
    public void ReadFile_MissingFile_ReportsReadFailed()
    {
        var result = new ManifestReader().ReadFile("/nonexistent/x.yaml", "x.yaml");

        result.Errors.Should().ContainSingle().Which.Should().Match<ManifestError>(e => e.Code == ManifestErrorCodes.ReadFailed && e.File == "x.yaml");
    }

    [Fact]
    public void Read_UnterminatedFlowSequenceAfterFlowMapping_ReportsSyntaxErrorNamingFile()
    {
        // YamlDotNet's scanner throws InvalidOperationException here rather than YamlException.
        var result = new ManifestReader().Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b\ndata: [broken", "apps/bad.yaml");

        result.Objects.Should().BeEmpty();
        result.Errors.Should().ContainSingle().Which.Should().Match<ManifestError>(
            e => e.Code == ManifestErrorCodes.Syntax && e.File == "apps/bad.yaml" && e.DocumentIndex == 0 && e.Line > 0);
    }

    [Fact]
    public void Constructor_DepthBeyondSupported_Throws()
    {
        var act = () => new ManifestReader(new ManifestReaderOptions { MaxDepth = 500 });

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static string Describe(ManifestReadResult result)
    {
        if (!result.Succeeded)
        {
            var e = result.Errors[0];
            return $"{e.Code}#{e.DocumentIndex}@{e.Line}:{e.Column}";
        }

        return string.Join("\n", result.Objects.Select(o => $"{o.ToJsonString()}#{o.Origin!.DocumentIndex}@{o.Origin.Line}:{o.Origin.Column}"));
    }
}
