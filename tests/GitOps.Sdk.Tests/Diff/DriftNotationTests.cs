using System.Collections.Immutable;
using GitOps.Sdk.Diff;
using GitOps.Sdk.Status;
using static GitOps.Sdk.Tests.Diff.DiffTestObjects;

namespace GitOps.Sdk.Tests.Diff;

/// <summary>
/// One drift notation everywhere (logs, the quickstart, <c>gitops diff</c>, the web console): live first, then desired,
/// then who wrote the live value.
/// </summary>
public sealed class DriftNotationTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 27, 10, 42, 0, TimeSpan.Zero);

    [Fact]
    public void FieldChange_ChangedByAnotherManager_LiveThenDesiredThenWho()
    {
        var change = new FieldChange("/spec/replicas", FieldChangeKind.Changed, DesiredValue: "2", LiveValue: "5") { Attribution = new FieldAttribution("kubectl-scale", "Update", Time) };

        change.ToString().Should().Be("spec.replicas: live 5 → desired 2 (live value by kubectl-scale)");
    }

    [Fact]
    public void FieldChange_WrittenThroughASubresource_NamesIt()
    {
        var change = new FieldChange("/spec/replicas", FieldChangeKind.Changed, "2", "5") { Attribution = new FieldAttribution("kubectl", "Update", null, "scale") };

        change.ToString().Should().Be("spec.replicas: live 5 → desired 2 (live value by kubectl via scale)");
    }

    [Theory]
    [InlineData(FieldChangeKind.Added, "\"v2\"", null, "data.MODE: live absent → desired \"v2\"")]
    [InlineData(FieldChangeKind.Removed, null, "\"v1\"", "data.MODE: live \"v1\" → desired absent")]
    public void FieldChange_OneSideMissing_ReadsAbsent(FieldChangeKind kind, string? desired, string? live, string expected)
    {
        new FieldChange("/data/MODE", kind, desired, live).ToString().Should().Be(expected);
    }

    [Fact]
    public void FieldChange_WholeObject_SaysPresentOrAbsentInsteadOfTheManifest()
    {
        new FieldChange("/", FieldChangeKind.Added, """{"apiVersion":"v1","kind":"Service"}""", null).ToString().Should().Be("object: live absent → desired present");
    }

    [Theory]
    [InlineData("/spec/replicas", "spec.replicas")]
    [InlineData("/spec/template/spec/containers/0/image", "spec.template.spec.containers[0].image")]
    [InlineData("/metadata/labels/app.kubernetes.io~1name", "metadata.labels[\"app.kubernetes.io/name\"]")]
    [InlineData("/metadata/annotations/a~0b", "metadata.annotations[\"a~b\"]")]
    [InlineData("/data/my-key_1", "data.my-key_1")]
    [InlineData("/", "object")]
    public void DisplayPath_JsonPointer_ReadsAsADottedPath(string pointer, string expected)
    {
        FieldChange.FormatPath(pointer).Should().Be(expected);
        new FieldChange(pointer, FieldChangeKind.Changed, "1", "2").DisplayPath.Should().Be(expected);
    }

    [Fact]
    public void ObjectDrift_Deleted_SaysDeleted()
    {
        var key = new ResourceKey(string.Empty, "Service", "shop", "web");

        new ObjectDrift(key, DiffAction.Create, [new FieldChange("/", FieldChangeKind.Added, "{}", null)]).ToString().Should().Be("/Service/shop/web: deleted");
    }

    [Fact]
    public void ObjectDrift_FieldsChanged_ListsEachChangeInTheOneNotation()
    {
        var key = new ResourceKey("apps", "Deployment", "shop", "web");
        ImmutableArray<FieldChange> changes =
        [
            new FieldChange("/spec/replicas", FieldChangeKind.Changed, "2", "5") { Attribution = new FieldAttribution("kubectl-scale", "Update", Time) },
            new FieldChange("/metadata/labels/tier", FieldChangeKind.Added, "\"web\"", null),
        ];

        new ObjectDrift(key, DiffAction.Update, changes).ToString().Should()
            .Be("apps/Deployment/shop/web: spec.replicas: live 5 → desired 2 (live value by kubectl-scale); metadata.labels.tier: live absent → desired \"web\"");
    }

    [Fact]
    public void DiffEngine_ScaledByKubectl_ChangeReadsInTheOneNotation()
    {
        var desired = Object("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"replicas":2}}""");
        var live = Object("""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"shop",
              "managedFields":[
               {"manager":"gitops-sdk","operation":"Apply","apiVersion":"apps/v1","time":"2026-11-27T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}},
               {"manager":"kubectl-scale","operation":"Update","apiVersion":"apps/v1","time":"2026-11-27T10:42:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}]},
             "spec":{"replicas":5}}
            """);

        var diff = new DiffEngine().Diff(desired, live, null, DiffOptions.Default);

        diff.Changes.Should().ContainSingle().Which.ToString().Should().Be("spec.replicas: live 5 → desired 2 (live value by kubectl-scale)");
    }
}
