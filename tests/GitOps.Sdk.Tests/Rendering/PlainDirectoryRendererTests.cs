using GitOps.Sdk.Manifests;
using GitOps.Sdk.Rendering;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Tests.Rendering;

public sealed class PlainDirectoryRendererTests : IDisposable
{
    private readonly TempDirectory _dir = new("plain-renderer");
    private readonly PlainDirectoryRenderer _renderer = new();

    public void Dispose() => _dir.Dispose();

    private static string Cm(string name, string? ns = null) =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n" + (ns is null ? string.Empty : $"  namespace: {ns}\n");

    private SourceArtifact Artifact(string path = "") => new()
    {
        Source = new SourceReference { Url = "https://git.example.com/repo.git" },
        Revision = "main@sha1:0123",
        Digest = "sha256:abcd",
        RootDirectory = _dir.Path,
        Path = path,
    };

    private async Task<RenderResult> RenderAsync(string path = "") =>
        await _renderer.RenderAsync(Artifact(path), new RenderOptions(), CancellationToken.None);

    [Fact]
    public async Task RenderAsync_NestedFolders_ReadsManifestsInOrdinalPathOrder()
    {
        _dir.WriteFile("b.yaml", Cm("b"));
        _dir.WriteFile("a/z.yml", Cm("az"));
        _dir.WriteFile("a.yaml", Cm("a") + "---\n" + Cm("a2"));
        _dir.WriteFile("A.json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"upper\"}}");
        _dir.WriteFile("README.md", "not a manifest");
        _dir.WriteFile("notes.txt", "apiVersion: nope");

        var result = await RenderAsync();

        result.Errors.Should().BeEmpty();
        result.Renderer.Should().Be("plain");
        result.State.Revision.Should().Be("main@sha1:0123");
        result.State.Digest.Should().Be("sha256:abcd");
        result.State.Objects.Select(o => $"{o.Name}@{o.Origin}").Should().Equal(
            "upper@A.json#0 (1:1)", "a@a.yaml#0 (1:1)", "a2@a.yaml#1 (6:1)", "az@a/z.yml#0 (1:1)", "b@b.yaml#0 (1:1)");
    }

    [Fact]
    public async Task RenderAsync_HiddenFoldersAndFiles_Skipped()
    {
        _dir.WriteFile(".git/config.yaml", "garbage: [");
        _dir.WriteFile(".github/workflows/ci.yml", "on: push\n");
        _dir.WriteFile(".hidden.yaml", "not: an object\n");
        _dir.WriteFile("app/cm.yaml", Cm("x"));

        var result = await RenderAsync();

        result.Errors.Should().BeEmpty();
        result.State.Objects.Should().ContainSingle().Which.Origin!.File.Should().Be("app/cm.yaml");
    }

    [Fact]
    public async Task RenderAsync_Subpath_PathsRelativeToArtifactRoot()
    {
        _dir.WriteFile("apps/web/cm.yaml", Cm("web"));
        _dir.WriteFile("apps/other/cm.yaml", Cm("other"));

        var result = await RenderAsync("apps/web");

        result.State.Objects.Should().ContainSingle().Which.Origin!.File.Should().Be("apps/web/cm.yaml");
    }

    [Fact]
    public async Task RenderAsync_DuplicateAcrossFiles_ErrorNamesBothOrigins()
    {
        _dir.WriteFile("one.yaml", Cm("same", "shop"));
        _dir.WriteFile("two/dup.yaml", "# dup\n" + Cm("other") + "---\n" + Cm("same", "shop"));

        var result = await RenderAsync();

        result.State.Objects.Should().BeEmpty("a failed render is never partial");
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be(ManifestErrorCodes.DuplicateObject);
        error.Object.Should().Be(new ResourceKey(string.Empty, "ConfigMap", "shop", "same"));
        (error.File, error.DocumentIndex, error.Line).Should().Be(("two/dup.yaml", 1, 7));
        error.Message.Should().Contain("one.yaml#0 (1:1)").And.Contain("two/dup.yaml#1 (7:1)");
    }

    [Fact]
    public async Task RenderAsync_DuplicateInOneFile_Error()
    {
        _dir.WriteFile("x.yaml", Cm("a") + "---\n" + Cm("a"));

        var result = await RenderAsync();

        result.Errors.Should().ContainSingle().Which.Code.Should().Be(ManifestErrorCodes.DuplicateObject);
    }

    [Fact]
    public async Task RenderAsync_SameNameDifferentKindOrNamespace_NotDuplicates()
    {
        _dir.WriteFile("x.yaml", Cm("a") + "---\n" + Cm("a", "other") + "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n");

        var result = await RenderAsync();

        result.State.Objects.Should().HaveCount(3);
    }

    [Fact]
    public async Task RenderAsync_BadFile_NoObjectsAndErrorRelativePath()
    {
        _dir.WriteFile("good.yaml", Cm("good"));
        _dir.WriteFile("sub/bad.yaml", Cm("bad") + "data:\n  a: 1\n  a: 2\n");

        var result = await RenderAsync();

        result.State.Objects.Should().BeEmpty();
        var error = result.Errors.Should().ContainSingle().Subject;
        (error.File, error.Code, error.Line, error.Column).Should().Be(("sub/bad.yaml", ManifestErrorCodes.DuplicateKey, 7, 3));
    }

    [Fact]
    public async Task RenderAsync_SymlinkInsideRoot_Followed()
    {
        _dir.WriteFile("common/base.yaml", Cm("base"));
        _dir.WriteFile("app/cm.yaml", Cm("app"));
        File.CreateSymbolicLink(_dir.Combine("app", "base.yaml"), "../common/base.yaml");

        var result = await RenderAsync("app");

        result.Errors.Should().BeEmpty();
        result.State.Objects.Select(o => o.Origin!.File).Should().Equal("app/base.yaml", "app/cm.yaml");
    }

    [Fact]
    public async Task RenderAsync_FileSymlinkLeavingRoot_Refused()
    {
        using var outside = new TempDirectory("plain-outside");
        outside.WriteFile("secret.yaml", Cm("stolen"));
        _dir.WriteFile("cm.yaml", Cm("x"));
        File.CreateSymbolicLink(_dir.Combine("evil.yaml"), outside.Combine("secret.yaml"));

        var result = await RenderAsync();

        result.State.Objects.Should().BeEmpty();
        result.Errors.Should().ContainSingle().Which.Should().Match<ManifestError>(e => e.Code == ManifestErrorCodes.SymlinkEscape && e.File == "evil.yaml");
    }

    [Fact]
    public async Task RenderAsync_FolderSymlinkLeavingRoot_Refused()
    {
        using var outside = new TempDirectory("plain-outside");
        outside.WriteFile("x.yaml", Cm("stolen"));
        Directory.CreateSymbolicLink(_dir.Combine("linked"), outside.Path);

        var result = await RenderAsync();

        result.Errors.Should().ContainSingle().Which.Should().Match<ManifestError>(e => e.Code == ManifestErrorCodes.SymlinkEscape && e.File == "linked");
    }

    [Fact]
    public async Task RenderAsync_RelativeChainLeavingRoot_Refused()
    {
        using var outside = new TempDirectory("plain-outside");
        outside.WriteFile("x.yaml", Cm("stolen"));
        Directory.CreateSymbolicLink(_dir.Combine("hop"), outside.Path);
        Directory.CreateDirectory(_dir.Combine("app"));
        File.CreateSymbolicLink(_dir.Combine("app", "x.yaml"), "../hop/x.yaml");

        var result = await RenderAsync("app");

        result.Errors.Should().ContainSingle().Which.Should().Match<ManifestError>(e => e.Code == ManifestErrorCodes.SymlinkEscape && e.File == "app/x.yaml");
    }

    [Fact]
    public async Task RenderAsync_FolderSymlinkLoop_Refused()
    {
        _dir.WriteFile("a/cm.yaml", Cm("x"));
        Directory.CreateSymbolicLink(_dir.Combine("a", "again"), _dir.Combine("a"));

        var result = await RenderAsync();

        result.Errors.Should().ContainSingle().Which.Should().Match<ManifestError>(e => e.Code == ManifestErrorCodes.SymlinkEscape && e.File == "a/again");
    }

    [Fact]
    public async Task RenderAsync_DanglingManifestLink_Refused()
    {
        File.CreateSymbolicLink(_dir.Combine("gone.yaml"), "nowhere.yaml");

        var result = await RenderAsync();

        result.Errors.Should().ContainSingle().Which.File.Should().Be("gone.yaml");
    }

    [Fact]
    public async Task RenderAsync_PathEscapingRoot_Refused()
    {
        var result = await RenderAsync("../");

        result.Errors.Should().ContainSingle().Which.Code.Should().Be(ManifestErrorCodes.SymlinkEscape);
    }

    [Fact]
    public async Task RenderAsync_MissingPath_Error()
    {
        var result = await RenderAsync("nope");

        result.Errors.Should().ContainSingle().Which.Should().Match<ManifestError>(e => e.Code == ManifestErrorCodes.ReadFailed && e.File == "nope");
    }

    [Fact]
    public async Task RenderAsync_EmptyFolder_EmptyState()
    {
        var result = await RenderAsync();

        result.Succeeded.Should().BeTrue();
        result.State.Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task RenderAsync_Cancelled_Throws()
    {
        _dir.WriteFile("cm.yaml", Cm("x"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = async () => await _renderer.RenderAsync(Artifact(), new RenderOptions(), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void CanRender_AnyArtifact_True()
    {
        _renderer.CanRender(Artifact(), new RenderOptions()).Should().BeTrue();
        _renderer.Name.Should().Be("plain");
    }

    [Fact]
    public async Task RenderAsync_CorpusDesiredFiles_AllObjectsInCaseOrder()
    {
        var cases = TestPaths.KubeLiveCases.Take(30).ToList();
        cases.Should().HaveCount(30, "the corpus has 44 cases; this test renders the first 30");
        foreach (var c in cases)
        {
            _dir.WriteFile(Path.Combine("cases", Path.GetFileName(c), "desired.yaml"), File.ReadAllText(Path.Combine(c, "desired.yaml")));
        }

        var result = await RenderAsync();

        result.Errors.Should().BeEmpty();
        result.State.Objects.Select(o => o.Origin!.File).Should().Equal(cases.Select(c => $"cases/{Path.GetFileName(c)}/desired.yaml"));
    }
}
