using System.Text.Json.Nodes;
using GitOps.Sdk.Hooks;

namespace GitOps.Sdk.Tests.Hooks;

/// <summary>Reading sync hooks from our annotations, Argo CD's and Helm's (docs/sync-hooks.md).</summary>
public sealed class SyncHooksTests
{
    private static KubeObject Obj(string kind, string name, params (string Key, string Value)[] annotations)
    {
        var a = new JsonObject();
        foreach (var (key, value) in annotations)
        {
            a[key] = value;
        }

        var apiVersion = kind == "Job" ? "batch/v1" : "v1";
        return KubeObject.FromNode(new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "shop", ["annotations"] = a },
        });
    }

    private static SyncHook Hook(KubeObject o)
    {
        SyncHooks.Parse(o, out var hook, out var reason).Should().BeTrue();
        hook.Should().NotBeNull(reason);
        return hook!;
    }

    [Theory]
    [InlineData(WellKnown.HookAnnotation, "PreSync", SyncHookPhase.PreSync)]
    [InlineData(WellKnown.HookAnnotation, "Sync", SyncHookPhase.Sync)]
    [InlineData(WellKnown.HookAnnotation, "postsync", SyncHookPhase.PostSync)]
    [InlineData(WellKnown.ArgoHookAnnotation, "SyncFail", SyncHookPhase.SyncFail)]
    [InlineData(WellKnown.ArgoHookAnnotation, "PreSync", SyncHookPhase.PreSync)]
    [InlineData(WellKnown.HelmHookEventsAnnotation, "pre-install", SyncHookPhase.PreSync)]
    [InlineData(WellKnown.HelmHookEventsAnnotation, "pre-upgrade", SyncHookPhase.PreSync)]
    [InlineData(WellKnown.HelmHookEventsAnnotation, "post-install", SyncHookPhase.PostSync)]
    [InlineData(WellKnown.HelmHookEventsAnnotation, "post-upgrade", SyncHookPhase.PostSync)]
    public void Parse_PhaseAnnotation_MapsToPhase(string annotation, string value, SyncHookPhase phase) =>
        Hook(Obj("Job", "migrate", (annotation, value))).Phases.Should().Equal(phase);

    [Fact]
    public void Parse_SeveralPhasesOrEvents_RunsInEachInPhaseOrder()
    {
        Hook(Obj("Job", "j", (WellKnown.ArgoHookAnnotation, "PostSync, PreSync"))).Phases.Should().Equal(SyncHookPhase.PreSync, SyncHookPhase.PostSync);
        Hook(Obj("Job", "j", (WellKnown.HelmHookEventsAnnotation, "post-upgrade,pre-install,pre-upgrade,post-delete"))).Phases.Should().Equal(SyncHookPhase.PreSync, SyncHookPhase.PostSync);
    }

    [Fact]
    public void Parse_NoAnnotation_RegularObject()
    {
        SyncHooks.Parse(Obj("ConfigMap", "settings", (WellKnown.SyncWaveAnnotation, "1")), out var hook, out var reason).Should().BeFalse();
        hook.Should().BeNull();
        reason.Should().BeNull();
    }

    [Fact]
    public void Parse_HelmHookMarkedAsRegularObject_IsNotAHook()
    {
        // The Helm renderer's ApplyHooks: applied, recorded and pruned like any object.
        SyncHooks.Parse(Obj("Job", "j", (WellKnown.HelmHookEventsAnnotation, "pre-install"), (WellKnown.HelmHookAnnotation, "pre-install")), out _, out _).Should().BeFalse();
    }

    [Fact]
    public void Parse_OursBeforeArgoBeforeHelm()
    {
        var all = Obj(
            "Job",
            "j",
            (WellKnown.HookAnnotation, "PostSync"),
            (WellKnown.ArgoHookAnnotation, "PreSync"),
            (WellKnown.HelmHookEventsAnnotation, "pre-install"),
            (WellKnown.HookDeletePolicyAnnotation, "HookFailed"),
            (WellKnown.ArgoHookDeletePolicyAnnotation, "HookSucceeded"));
        var hook = Hook(all);
        hook.Phases.Should().Equal(SyncHookPhase.PostSync);
        hook.DeletePolicies.Should().Be(HookDeletePolicies.HookFailed);
        hook.Annotation.Should().Be(WellKnown.HookAnnotation);

        var argoAndHelm = Hook(Obj("Job", "j", (WellKnown.ArgoHookAnnotation, "Sync"), (WellKnown.HelmHookEventsAnnotation, "post-install"), (WellKnown.HelmHookDeletePolicyAnnotation, "hook-failed")));
        argoAndHelm.Phases.Should().Equal(SyncHookPhase.Sync);
        argoAndHelm.DeletePolicies.Should().Be(HookDeletePolicies.BeforeHookCreation, "Helm's delete policy belongs to Helm's hook annotation");
    }

    [Theory]
    [InlineData(WellKnown.HookAnnotation, WellKnown.HookDeletePolicyAnnotation, null, "BeforeHookCreation")]
    [InlineData(WellKnown.HookAnnotation, WellKnown.HookDeletePolicyAnnotation, "HookSucceeded", "HookSucceeded")]
    [InlineData(WellKnown.ArgoHookAnnotation, WellKnown.ArgoHookDeletePolicyAnnotation, "HookSucceeded,HookFailed", "HookSucceeded, HookFailed")]
    [InlineData(WellKnown.ArgoHookAnnotation, WellKnown.ArgoHookDeletePolicyAnnotation, "BeforeHookCreation, HookSucceeded", "BeforeHookCreation, HookSucceeded")]
    [InlineData(WellKnown.ArgoHookAnnotation, WellKnown.ArgoHookDeletePolicyAnnotation, "Sometimes", "BeforeHookCreation")]
    [InlineData(WellKnown.HelmHookEventsAnnotation, WellKnown.HelmHookDeletePolicyAnnotation, null, "BeforeHookCreation")]
    [InlineData(WellKnown.HelmHookEventsAnnotation, WellKnown.HelmHookDeletePolicyAnnotation, "hook-succeeded", "HookSucceeded")]
    [InlineData(WellKnown.HelmHookEventsAnnotation, WellKnown.HelmHookDeletePolicyAnnotation, "before-hook-creation,hook-failed", "BeforeHookCreation, HookFailed")]
    public void Parse_DeletePolicy_DefaultsToBeforeHookCreation(string hookAnnotation, string policyAnnotation, string? policy, string expected)
    {
        var value = hookAnnotation == WellKnown.HelmHookEventsAnnotation ? "pre-install" : "PreSync";
        var annotations = policy is null ? new[] { (hookAnnotation, value) } : [(hookAnnotation, value), (policyAnnotation, policy)];
        Hook(Obj("Job", "j", annotations)).DeletePolicies.Should().Be(Enum.Parse<HookDeletePolicies>(expected));
    }

    [Theory]
    [InlineData(WellKnown.ArgoHookAnnotation, "Skip", "is not applied: annotated argocd.argoproj.io/hook=Skip")]
    [InlineData(WellKnown.HookAnnotation, "Skip", "is not applied: annotated gitops.sdk.io/hook=Skip")]
    [InlineData(WellKnown.ArgoHookAnnotation, "PostDelete", "argocd.argoproj.io/hook=PostDelete names no phase this engine runs")]
    [InlineData(WellKnown.HelmHookEventsAnnotation, "test", "helm.sh/hook=test names no phase this engine runs")]
    [InlineData(WellKnown.HelmHookEventsAnnotation, "pre-delete,pre-rollback", "helm.sh/hook=pre-delete,pre-rollback names no phase")]
    [InlineData(WellKnown.HookAnnotation, "1", "gitops.sdk.io/hook=1 names no phase")]
    public void Parse_NothingThatRuns_LeftOutWithReason(string annotation, string value, string reason)
    {
        SyncHooks.Parse(Obj("Pod", "p", (annotation, value)), out var hook, out var why).Should().BeTrue("it is not a regular object either");
        hook.Should().BeNull();
        why.Should().Contain("/Pod/shop/p").And.Contain(reason);
    }

    [Fact]
    public void Parse_Wave_OursThenArgoThenHelmWeight()
    {
        Hook(Obj("Job", "j", (WellKnown.ArgoHookAnnotation, "PreSync"), (WellKnown.SyncWaveAnnotation, "3"), (WellKnown.ArgoSyncWaveAnnotation, "7"))).Wave.Should().Be(3);
        Hook(Obj("Job", "j", (WellKnown.ArgoHookAnnotation, "PreSync"), (WellKnown.ArgoSyncWaveAnnotation, "-2"))).Wave.Should().Be(-2);
        Hook(Obj("Job", "j", (WellKnown.HelmHookEventsAnnotation, "pre-install"), (WellKnown.HelmHookWeightAnnotation, "-5"))).Wave.Should().Be(-5);
        Hook(Obj("Job", "j", (WellKnown.ArgoHookAnnotation, "PreSync"), (WellKnown.HelmHookWeightAnnotation, "-5"))).Wave.Should().Be(0, "hook-weight is Helm's, read for Helm hooks");
        Hook(Obj("Job", "j", (WellKnown.ArgoHookAnnotation, "PreSync"), (WellKnown.ArgoSyncWaveAnnotation, "soon"))).Wave.Should().Be(0);
        SyncHooks.GetWave(Obj("ConfigMap", "c", (WellKnown.ArgoSyncWaveAnnotation, "4"))).Should().Be(4, "Argo CD's wave orders regular objects too");
    }

    [Fact]
    public void Split_RemovesHooksAndLeftOutObjects_KeepsRenderOrder()
    {
        var desired = new DesiredState
        {
            Revision = "r1",
            Objects =
            [
                Obj("ConfigMap", "a"),
                Obj("Job", "migrate", (WellKnown.ArgoHookAnnotation, "PreSync")),
                Obj("ConfigMap", "b"),
                Obj("Pod", "test", (WellKnown.HelmHookEventsAnnotation, "test")),
                Obj("Job", "smoke", (WellKnown.ArgoHookAnnotation, "PostSync")),
            ],
        };

        var set = SyncHooks.Split(desired);

        set.Regular.Objects.Select(o => o.Name).Should().Equal("a", "b");
        set.Regular.Revision.Should().Be("r1");
        set.Hooks.Select(h => h.Key.Name).Should().Equal("migrate", "smoke");
        set.LeftOut.Should().ContainSingle().Which.Key.Name.Should().Be("test");
        set.Has(SyncHookPhase.SyncFail).Should().BeFalse();
    }

    [Fact]
    public void Split_NoHooks_SameDesiredState()
    {
        var desired = new DesiredState { Objects = [Obj("ConfigMap", "a")] };
        SyncHooks.Split(desired).Regular.Should().BeSameAs(desired);
    }

    [Fact]
    public void Of_OrdersByWaveThenKindThenName()
    {
        var set = SyncHooks.Split(new DesiredState
        {
            Objects =
            [
                Obj("Job", "z-late", (WellKnown.ArgoHookAnnotation, "PreSync"), (WellKnown.ArgoSyncWaveAnnotation, "1")),
                Obj("Job", "b", (WellKnown.ArgoHookAnnotation, "PreSync")),
                Obj("ConfigMap", "config", (WellKnown.ArgoHookAnnotation, "PreSync")),
                Obj("Job", "a", (WellKnown.ArgoHookAnnotation, "PreSync,PostSync")),
                Obj("Job", "early", (WellKnown.ArgoHookAnnotation, "PreSync"), (WellKnown.ArgoSyncWaveAnnotation, "-1")),
                Obj("Job", "post", (WellKnown.ArgoHookAnnotation, "PostSync")),
            ],
        });

        set.Of(SyncHookPhase.PreSync).Select(h => h.Key.Name).Should().Equal("early", "config", "a", "b", "z-late");
        set.Of(SyncHookPhase.PostSync).Select(h => h.Key.Name).Should().Equal("a", "post");
    }
}
