using System.Text.Json.Nodes;
using static GitOps.Sdk.Testing.Emulator.Defaults;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Defaults of the kinds in the other named API groups: networking, autoscaling (v2 metrics and behavior), CRDs, RBAC bindings, storage and scheduling.</summary>
internal static class ApiGroupDefaults
{
    public static void Apply(ResourceType type, string key, JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject;
        switch (key)
        {
            case "networking.k8s.io/NetworkPolicy":
                spec ??= Obj(obj, "spec");
                if (spec["podSelector"] is null)
                {
                    spec["podSelector"] = new JsonObject();
                }

                foreach (var rule in Items(spec, "ingress").Concat(Items(spec, "egress")))
                {
                    foreach (var port in Items(rule, "ports"))
                    {
                        Set(port, "protocol", "TCP");
                    }
                }

                if (spec["policyTypes"] is null)
                {
                    var types = new JsonArray("Ingress");
                    if (spec["egress"] is JsonArray { Count: > 0 })
                    {
                        types.Add("Egress");
                    }

                    spec["policyTypes"] = types;
                }

                break;
            case "networking.k8s.io/Ingress":
                if (obj["status"] is null)
                {
                    Obj(Obj(obj, "status"), "loadBalancer");
                }

                break;
            case "autoscaling/HorizontalPodAutoscaler":
                spec ??= Obj(obj, "spec");
                if (type.Version == "v2")
                {
                    Set(spec, "minReplicas", 1);
                    if (spec["metrics"] is null)
                    {
                        spec["metrics"] = JsonNode.Parse("""[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}]""");
                    }

                    var behavior = Obj(spec, "behavior");
                    var up = Obj(behavior, "scaleUp");
                    Set(up, "stabilizationWindowSeconds", 0);
                    Set(up, "selectPolicy", "Max");
                    if (up["policies"] is null)
                    {
                        up["policies"] = JsonNode.Parse("""[{"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]""");
                    }

                    var down = Obj(behavior, "scaleDown");
                    Set(down, "selectPolicy", "Max");
                    if (down["policies"] is null)
                    {
                        down["policies"] = JsonNode.Parse("""[{"type":"Percent","value":100,"periodSeconds":15}]""");
                    }

                    CanonicalMetrics(spec["metrics"] as JsonArray);
                }
                else
                {
                    Set(spec, "minReplicas", 1);
                }

                break;
            case "apiextensions.k8s.io/CustomResourceDefinition":
                spec ??= Obj(obj, "spec");
                var names = Obj(spec, "names");
                if (names["kind"] is JsonValue kind)
                {
                    Set(names, "singular", kind.ToString().ToLowerInvariant());
                    Set(names, "listKind", kind + "List");
                }

                Set(Obj(spec, "conversion"), "strategy", "None");
                break;
            case "rbac.authorization.k8s.io/RoleBinding":
            case "rbac.authorization.k8s.io/ClusterRoleBinding":
                foreach (var subject in Items(obj, "subjects"))
                {
                    if ((string?)subject["kind"] is "User" or "Group")
                    {
                        Set(subject, "apiGroup", "rbac.authorization.k8s.io");
                    }
                }

                break;
            case "storage.k8s.io/StorageClass":
                Set(obj, "reclaimPolicy", "Delete");
                Set(obj, "volumeBindingMode", "Immediate");
                break;
            case "scheduling.k8s.io/PriorityClass":
                Set(obj, "preemptionPolicy", "PreemptLowerPriority");
                break;
        }
    }

    private static void CanonicalMetrics(JsonArray? metrics)
    {
        foreach (var metric in metrics?.OfType<JsonObject>() ?? [])
        {
            foreach (var source in metric.Select(kv => kv.Value).OfType<JsonObject>())
            {
                if (source["target"] is JsonObject target)
                {
                    foreach (var field in new[] { "value", "averageValue" })
                    {
                        if (target[field] is JsonValue v)
                        {
                            target[field] = Quantity.Canonicalize(v.ToString());
                        }
                    }
                }
            }
        }
    }
}
