using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Sdk.Kubernetes.Applications.Tests.Sources;

public sealed class GitOpsApplicationSourceTests
{
    private const string Spec = """{ "source": { "url": "https://git.example.com/a.git" } }""";

    [Fact]
    public void Publish_Resources_OffersTheirApplicationsAndProblemsAndFiresTheToken()
    {
        var source = NewSource();
        var first = source.GetSnapshot();

        source.Publish([
            GitOpsApplicationSpecTests.Resource("team-a", "web", Spec),
            GitOpsApplicationSpecTests.Resource("team-a", "bad", """{ "source": { "url": "https://git.example.com/a.git" }, "interval": "banana" }"""),
        ]);

        first.ChangeToken.HasChanged.Should().BeTrue();
        var snapshot = source.GetSnapshot();
        snapshot.Applications.Select(static a => a.Name).Should().Equal("web");
        snapshot.Problems.Should().ContainSingle().Which.Application.Should().Be("bad");
        source.Entries.Select(static e => e.Id).Should().Equal(["team-a/bad", "team-a/web"], "oldest first, then by namespace and name");
    }

    [Fact]
    public void Publish_SameApplications_KeepsTheSnapshotAndItsToken()
    {
        var source = NewSource();
        source.Publish([GitOpsApplicationSpecTests.Resource("team-a", "web", Spec)]);
        var snapshot = source.GetSnapshot();
        var reads = 0;
        source.EntriesChanged += () => reads++;

        // A status write changes the resource, not its application.
        source.Publish([GitOpsApplicationSpecTests.Resource("team-a", "web", Spec).With(o => o["status"] = new System.Text.Json.Nodes.JsonObject { ["observedGeneration"] = 1 })]);

        source.GetSnapshot().Should().BeSameAs(snapshot);
        snapshot.ChangeToken.HasChanged.Should().BeFalse();
        reads.Should().Be(1, "the status writer still looks again");
        source.Entries.Single().LiveStatus.Should().NotBeNull();
    }

    [Fact]
    public void Publish_SameNameInTwoNamespaces_TheOlderResourceKeepsIt()
    {
        var source = NewSource();

        source.Publish([
            GitOpsApplicationSpecTests.Resource("team-b", "web", Spec, created: "2026-01-02T00:00:00Z"),
            GitOpsApplicationSpecTests.Resource("team-a", "web", Spec, created: "2026-01-03T00:00:00Z"),
            GitOpsApplicationSpecTests.Resource("team-c", "web", Spec, created: "2026-01-01T00:00:00Z"),
        ]);

        var offered = source.GetSnapshot().Applications.Should().ContainSingle().Subject;
        offered.Namespace.Should().Be("team-c");
        source.Entries.Where(static e => e.DuplicateOf is not null).Select(static e => $"{e.Id}->{e.DuplicateOf}").Should().Equal("team-b/web->team-c/web", "team-a/web->team-c/web");
    }

    [Fact]
    public void Publish_SameResourceFromTwoCaches_IsOneResource()
    {
        var source = NewSource();

        source.Publish([GitOpsApplicationSpecTests.Resource("team-a", "web", Spec), GitOpsApplicationSpecTests.Resource("team-a", "web", Spec)]);

        source.GetSnapshot().Applications.Should().ContainSingle();
        source.Entries.Should().ContainSingle().Which.DuplicateOf.Should().BeNull();
    }

    [Fact]
    public void Publish_ResourceBeingDeleted_IsNoLongerOffered()
    {
        var source = NewSource();
        source.Publish([GitOpsApplicationSpecTests.Resource("team-a", "web", Spec)]);

        source.Publish([GitOpsApplicationSpecTests.Resource("team-a", "web", Spec).With(o => o["metadata"]!["deletionTimestamp"] = "2026-01-05T00:00:00Z")]);

        source.GetSnapshot().Applications.Should().BeEmpty();
        source.Entries.Should().BeEmpty();
    }

    private static GitOpsApplicationSource NewSource() =>
        new(new GitOpsApplicationSourceOptions(), [], NullLogger<GitOpsApplicationSource>.Instance);
}
