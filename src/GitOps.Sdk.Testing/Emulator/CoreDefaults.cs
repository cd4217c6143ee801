using System.Text;
using System.Text.Json.Nodes;
using static GitOps.Sdk.Testing.Emulator.Defaults;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Defaults of the core (<c>v1</c>) kinds: Pods and pod templates, Services, Secrets (<c>stringData</c> folded into <c>data</c>), Namespaces, volumes and claims, limits and quotas.</summary>
internal static class CoreDefaults
{
    public static void Apply(string key, JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject;
        switch (key)
        {
            case "/Pod":
                PodDefaults.PodSpec(Obj(obj, "spec"));
                Set(Obj(obj, "status"), "phase", "Pending");
                Set(Obj(obj, "status"), "qosClass", "BestEffort");
                break;
            case "/ReplicationController":
                spec ??= Obj(obj, "spec");
                Set(spec, "replicas", 1);
                PodDefaults.PodTemplate(Obj(spec, "template"));
                break;
            case "/PodTemplate":
                PodDefaults.PodTemplate(Obj(obj, "template"));
                break;
            case "/Service":
                Service(Obj(obj, "spec"));
                if (obj["status"] is null)
                {
                    Obj(Obj(obj, "status"), "loadBalancer");
                }

                break;
            case "/Secret":
                Set(obj, "type", "Opaque");
                if (obj["stringData"] is JsonObject stringData)
                {
                    var data = Obj(obj, "data");
                    foreach (var (k, v) in stringData)
                    {
                        data[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v?.ToString() ?? string.Empty));
                    }

                    obj.Remove("stringData");
                }

                break;
            case "/Namespace":
                var name = (string?)obj["metadata"]?["name"];
                if (name is not null)
                {
                    Obj(Obj(obj, "metadata"), "labels")["kubernetes.io/metadata.name"] = name;
                }

                var nsSpec = Obj(obj, "spec");
                if (nsSpec["finalizers"] is null)
                {
                    nsSpec["finalizers"] = new JsonArray("kubernetes");
                }

                if (obj["status"]?["phase"] is null)
                {
                    Set(Obj(obj, "status"), "phase", "Active");
                }

                break;
            case "/PersistentVolumeClaim":
                PvcSpec(Obj(obj, "spec"));
                if (obj["status"]?["phase"] is null)
                {
                    Set(Obj(obj, "status"), "phase", "Pending");
                }

                break;
            case "/PersistentVolume":
                spec ??= Obj(obj, "spec");
                Set(spec, "persistentVolumeReclaimPolicy", "Retain");
                Set(spec, "volumeMode", "Filesystem");
                CanonicalMap(spec["capacity"] as JsonObject);
                break;
            case "/LimitRange":
                foreach (var limit in Items(spec, "limits"))
                {
                    if ((string?)limit["type"] == "Container")
                    {
                        if (limit["default"] is null && limit["max"] is JsonObject max)
                        {
                            limit["default"] = max.DeepClone();
                        }

                        if (limit["defaultRequest"] is null)
                        {
                            if (limit["default"] is JsonObject def)
                            {
                                limit["defaultRequest"] = def.DeepClone();
                            }
                            else if (limit["max"] is JsonObject max2)
                            {
                                limit["defaultRequest"] = max2.DeepClone();
                            }
                        }
                        else if (limit["default"] is JsonObject def2 && limit["defaultRequest"] is JsonObject dr)
                        {
                            foreach (var (k, v) in def2)
                            {
                                if (!dr.ContainsKey(k))
                                {
                                    dr[k] = v?.DeepClone();
                                }
                            }
                        }
                    }

                    foreach (var field in new[] { "default", "defaultRequest", "max", "min", "maxLimitRequestRatio" })
                    {
                        CanonicalMap(limit[field] as JsonObject);
                    }
                }

                break;
            case "/ResourceQuota":
                CanonicalMap(spec?["hard"] as JsonObject);
                break;
        }
    }

    public static void PvcSpec(JsonObject spec)
    {
        Set(spec, "volumeMode", "Filesystem");
        var resources = spec["resources"] as JsonObject;
        CanonicalMap(resources?["requests"] as JsonObject);
        CanonicalMap(resources?["limits"] as JsonObject);
    }

    private static void Service(JsonObject spec)
    {
        Set(spec, "type", "ClusterIP");
        Set(spec, "sessionAffinity", "None");
        var type = (string?)spec["type"];
        if (type != "ExternalName")
        {
            Set(spec, "internalTrafficPolicy", "Cluster");
        }

        if (type is "NodePort" or "LoadBalancer")
        {
            Set(spec, "externalTrafficPolicy", "Cluster");
        }

        if (type == "LoadBalancer")
        {
            Set(spec, "allocateLoadBalancerNodePorts", true);
        }

        foreach (var port in Items(spec, "ports"))
        {
            Set(port, "protocol", "TCP");
            if (port["targetPort"] is null && port["port"] is not null)
            {
                port["targetPort"] = port["port"]!.DeepClone();
            }
        }

        if (spec["sessionAffinity"]?.ToString() == "ClientIP")
        {
            var config = Obj(spec, "sessionAffinityConfig");
            Set(Obj(config, "clientIP"), "timeoutSeconds", 10800);
        }
    }
}
