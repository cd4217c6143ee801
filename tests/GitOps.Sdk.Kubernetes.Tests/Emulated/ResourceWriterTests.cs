using GitOps.Sdk.Testing;
using k8s;
using static GitOps.Sdk.Kubernetes.Tests.Emulated.KubeTarget;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

/// <summary>The Kubernetes writer on its own, over HTTP against the emulator: what it reports to the plan executor.</summary>
public class ResourceWriterTests
{
    private const string App = "shop";

    private static KubeObject Crd => Obj($$$"""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"gadgets","singular":"gadget","kind":"Gadget","listKind":"GadgetList"},
                 "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true} } }]} }
        """);

    private static KubeObject Gadget => Obj("""{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g","namespace":"default"},"spec":{"size":1} }""");

    [Fact]
    public async Task ApplyAsync_ImmutableSelectorChanged_ReportsImmutableFieldWithItsName()
    {
        await using var t = await KubeTarget.StartAsync();
        var created = await t.Writer.ApplyAsync(new ApplyRequest { Desired = Deployment("web", "default", App) }, CancellationToken.None);

        var refused = await t.Writer.ApplyAsync(new ApplyRequest { Desired = Deployment("web", "default", App, selectorApp: "web2"), Live = created.Result, Force = true }, CancellationToken.None);

        created.Outcome.Should().Be(ApplyOutcome.Created);
        refused.Outcome.Should().Be(ApplyOutcome.Failed);
        refused.Failure.Should().Be(WriteFailure.ImmutableField);
        refused.ImmutableFields.Should().Equal("spec.selector");
        refused.Message.Should().Contain("field is immutable");
    }

    [Fact]
    public async Task ApplyAsync_MissingNamespaceOrUnknownKind_ReportsEachDistinctly()
    {
        await using var t = await KubeTarget.StartAsync();

        var noNamespace = await t.Writer.ApplyAsync(new ApplyRequest { Desired = ConfigMap("c", "nowhere", App) }, CancellationToken.None);
        var unknownKind = await t.Writer.ApplyAsync(new ApplyRequest { Desired = Gadget }, CancellationToken.None);

        noNamespace.Failure.Should().Be(WriteFailure.NamespaceNotFound);
        noNamespace.Message.Should().Contain("its namespace nowhere does not exist");
        unknownKind.Failure.Should().Be(WriteFailure.KindNotServed);
        unknownKind.Message.Should().Contain("no kind Gadget in group example.com");
    }

    [Fact]
    public async Task DeleteAsync_ObjectReplacedSincePlanning_SkipsItByUid()
    {
        await using var t = await KubeTarget.StartAsync();
        var planned = (await t.Writer.ApplyAsync(new ApplyRequest { Desired = ConfigMap("c", "default", App) }, CancellationToken.None)).Result!;
        await t.Other.CoreV1.DeleteNamespacedConfigMapAsync("c", "default");
        await t.Other.CoreV1.CreateNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = "c" } }, "default");

        var result = await t.Writer.DeleteAsync(new DeleteRequest { Target = planned }, CancellationToken.None);

        result.Outcome.Should().Be(ApplyOutcome.Skipped);
        result.Message.Should().Contain("replaced since planning").And.Contain(Uid(planned));
        (await t.GetAsync(planned.Key, "v1")).Should().NotBeNull("another object of the same name is not deleted");
    }

    [Fact]
    public async Task DeleteAsync_WaitUntilGone_ReturnsOnceTheObjectIsGone()
    {
        await using var t = await KubeTarget.StartAsync();
        var cm = (await t.Writer.ApplyAsync(new ApplyRequest { Desired = ConfigMap("c", "default", App) }, CancellationToken.None)).Result!;

        var result = await t.Writer.DeleteAsync(new DeleteRequest { Target = cm, WaitUntilGone = true, PropagationPolicy = "Foreground" }, CancellationToken.None);

        result.Outcome.Should().Be(ApplyOutcome.Deleted);
        result.Message.Should().Be("propagationPolicy Foreground");
        (await t.GetAsync(cm.Key, "v1")).Should().BeNull();
    }

    [Fact]
    public async Task WaitEstablishedAsync_CrdEstablishedLate_ReadyOnlyOnceItsKindCanBeWritten()
    {
        await using var t = await KubeTarget.StartAsync(emulator: new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.FromMilliseconds(300) });
        (await t.Writer.ApplyAsync(new ApplyRequest { Desired = Crd }, CancellationToken.None)).Outcome.Should().Be(ApplyOutcome.Created);

        var ready = await t.Writer.WaitEstablishedAsync(Crd, CancellationToken.None);
        var gadget = await t.Writer.ApplyAsync(new ApplyRequest { Desired = Gadget }, CancellationToken.None);

        ready.IsReady.Should().BeTrue(ready.Message);
        gadget.Outcome.Should().Be(ApplyOutcome.Created, gadget.Message);
    }

    [Fact]
    public async Task WaitEstablishedAsync_CrdNeverApplied_NotReadyNamingTheCrdAndTheOption()
    {
        await using var t = await KubeTarget.StartAsync(o => o.CrdEstablishedTimeout = TimeSpan.FromMilliseconds(200));

        var ready = await t.Writer.WaitEstablishedAsync(Crd, CancellationToken.None);

        ready.IsReady.Should().BeFalse();
        ready.Message.Should().Contain("gadgets.example.com").And.Contain("CrdEstablishedTimeout");
    }
}
