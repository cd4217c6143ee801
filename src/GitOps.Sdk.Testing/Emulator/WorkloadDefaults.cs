using System.Text.Json.Nodes;
using static GitOps.Sdk.Testing.Emulator.Defaults;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Defaults of the <c>apps</c> and <c>batch</c> workloads (replicas, strategies, history limits, Job completions), their pod templates by <see cref="PodDefaults"/>.</summary>
internal static class WorkloadDefaults
{
    public static void Apply(string key, JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject;
        switch (key)
        {
            case "apps/Deployment":
                spec ??= Obj(obj, "spec");
                Set(spec, "replicas", 1);
                var strategy = Obj(spec, "strategy");
                Set(strategy, "type", "RollingUpdate");
                if ((string?)strategy["type"] == "RollingUpdate")
                {
                    var ru = Obj(strategy, "rollingUpdate");
                    Set(ru, "maxUnavailable", "25%");
                    Set(ru, "maxSurge", "25%");
                }

                Set(spec, "revisionHistoryLimit", 10);
                Set(spec, "progressDeadlineSeconds", 600);
                PodDefaults.PodTemplate(Obj(spec, "template"));
                break;
            case "apps/StatefulSet":
                spec ??= Obj(obj, "spec");
                Set(spec, "replicas", 1);
                Set(spec, "podManagementPolicy", "OrderedReady");
                var us = Obj(spec, "updateStrategy");
                Set(us, "type", "RollingUpdate");
                if ((string?)us["type"] == "RollingUpdate")
                {
                    Set(Obj(us, "rollingUpdate"), "partition", 0);
                }

                Set(spec, "revisionHistoryLimit", 10);
                PodDefaults.PodTemplate(Obj(spec, "template"));
                foreach (var pvc in Items(spec, "volumeClaimTemplates"))
                {
                    Set(pvc, "apiVersion", "v1");
                    Set(pvc, "kind", "PersistentVolumeClaim");
                    var meta = Obj(pvc, "metadata");
                    if (!meta.ContainsKey("creationTimestamp"))
                    {
                        meta["creationTimestamp"] = null;
                    }

                    CoreDefaults.PvcSpec(Obj(pvc, "spec"));
                    Set(Obj(pvc, "status"), "phase", "Pending");
                }

                break;
            case "apps/DaemonSet":
                spec ??= Obj(obj, "spec");
                var dus = Obj(spec, "updateStrategy");
                Set(dus, "type", "RollingUpdate");
                if ((string?)dus["type"] == "RollingUpdate")
                {
                    var ru = Obj(dus, "rollingUpdate");
                    Set(ru, "maxUnavailable", 1);
                    Set(ru, "maxSurge", 0);
                }

                Set(spec, "revisionHistoryLimit", 10);
                PodDefaults.PodTemplate(Obj(spec, "template"));
                break;
            case "apps/ReplicaSet":
                spec ??= Obj(obj, "spec");
                Set(spec, "replicas", 1);
                PodDefaults.PodTemplate(Obj(spec, "template"));
                break;
            case "batch/Job":
                spec ??= Obj(obj, "spec");
                JobSpec(spec);
                break;
            case "batch/CronJob":
                spec ??= Obj(obj, "spec");
                Set(spec, "concurrencyPolicy", "Allow");
                Set(spec, "suspend", false);
                Set(spec, "successfulJobsHistoryLimit", 3);
                Set(spec, "failedJobsHistoryLimit", 1);
                var jt = Obj(spec, "jobTemplate");
                var jtMeta = Obj(jt, "metadata");
                if (!jtMeta.ContainsKey("creationTimestamp"))
                {
                    jtMeta["creationTimestamp"] = null;
                }

                // Job defaults (parallelism, completions, backoffLimit) apply to Jobs, not to the template.
                PodDefaults.PodTemplate(Obj(Obj(jt, "spec"), "template"));
                Obj(obj, "status"); // The CronJob controller has not run yet: a real server stores "status": {}.
                break;
        }
    }

    private static void JobSpec(JsonObject spec)
    {
        Set(spec, "parallelism", 1);
        var indexed = (string?)spec["completionMode"] == "Indexed";
        if (spec["completions"] is null && JsonValues.Long(spec["parallelism"]) is 1)
        {
            spec["completions"] = 1;
        }

        Set(spec, "backoffLimit", 6);
        Set(spec, "completionMode", indexed ? "Indexed" : "NonIndexed");
        Set(spec, "suspend", false);
        PodDefaults.PodTemplate(Obj(spec, "template"));
    }
}
