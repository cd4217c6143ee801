using System.Text;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// Server-side defaulting of the built-in kinds (the values kube-apiserver v1.24 fills in) and structural-schema
/// defaults of custom resources; quantities are stored canonical.
/// </summary>
internal static class Defaults
{
    public static void Apply(ResourceType type, JsonObject obj)
    {
        if (type.IsCustom)
        {
            ApplySchemaDefaults(obj, type.Schema, topLevel: true);
            return;
        }

        var spec = obj["spec"] as JsonObject;
        switch (type.Group + "/" + type.Kind)
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
                PodTemplate(Obj(spec, "template"));
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
                PodTemplate(Obj(spec, "template"));
                foreach (var pvc in Items(spec, "volumeClaimTemplates"))
                {
                    Set(pvc, "apiVersion", "v1");
                    Set(pvc, "kind", "PersistentVolumeClaim");
                    var meta = Obj(pvc, "metadata");
                    if (!meta.ContainsKey("creationTimestamp"))
                    {
                        meta["creationTimestamp"] = null;
                    }

                    PvcSpec(Obj(pvc, "spec"));
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
                PodTemplate(Obj(spec, "template"));
                break;
            case "apps/ReplicaSet":
                spec ??= Obj(obj, "spec");
                Set(spec, "replicas", 1);
                PodTemplate(Obj(spec, "template"));
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
                PodTemplate(Obj(Obj(jt, "spec"), "template"));
                Obj(obj, "status"); // The CronJob controller has not run yet: a real server stores "status": {}.
                break;
            case "/Pod":
                PodSpec(Obj(obj, "spec"));
                Set(Obj(obj, "status"), "phase", "Pending");
                Set(Obj(obj, "status"), "qosClass", "BestEffort");
                break;
            case "/ReplicationController":
                spec ??= Obj(obj, "spec");
                Set(spec, "replicas", 1);
                PodTemplate(Obj(spec, "template"));
                break;
            case "/PodTemplate":
                PodTemplate(Obj(obj, "template"));
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
        PodTemplate(Obj(spec, "template"));
    }

    private static void PvcSpec(JsonObject spec)
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

    private static void PodTemplate(JsonObject template)
    {
        var meta = Obj(template, "metadata");
        if (!meta.ContainsKey("creationTimestamp"))
        {
            meta["creationTimestamp"] = null;
        }

        PodSpec(Obj(template, "spec"));
    }

    public static void PodSpec(JsonObject spec)
    {
        // serviceAccount is the deprecated alias of serviceAccountName: the server fills either from the other and
        // always writes both (serviceAccountName wins when they differ).
        var accountName = (string?)spec["serviceAccountName"];
        if (string.IsNullOrEmpty(accountName))
        {
            accountName = (string?)spec["serviceAccount"];
            if (!string.IsNullOrEmpty(accountName))
            {
                spec["serviceAccountName"] = accountName;
            }
        }

        if (!string.IsNullOrEmpty(accountName))
        {
            spec["serviceAccount"] = accountName;
        }
        else
        {
            spec.Remove("serviceAccount");
        }

        Set(spec, "dnsPolicy", "ClusterFirst");
        Set(spec, "restartPolicy", "Always");
        Set(spec, "terminationGracePeriodSeconds", 30);
        if (spec["securityContext"] is null)
        {
            spec["securityContext"] = new JsonObject();
        }

        Set(spec, "schedulerName", "default-scheduler");
        var hostNetwork = JsonValues.Bool(spec["hostNetwork"]);
        foreach (var c in Items(spec, "initContainers").Concat(Items(spec, "containers")))
        {
            Container(c, hostNetwork);
        }

        foreach (var c in Items(spec, "ephemeralContainers"))
        {
            Set(c, "terminationMessagePath", "/dev/termination-log");
            Set(c, "terminationMessagePolicy", "File");
            Set(c, "imagePullPolicy", PullPolicy((string?)c["image"]));
        }

        foreach (var v in Items(spec, "volumes"))
        {
            Volume(v);
        }

        CanonicalMap(spec["overhead"] as JsonObject);
    }

    private static void Volume(JsonObject v)
    {
        if (v["configMap"] is JsonObject cm)
        {
            Set(cm, "defaultMode", 420);
        }

        if (v["secret"] is JsonObject secret)
        {
            Set(secret, "defaultMode", 420);
        }

        if (v["downwardAPI"] is JsonObject downward)
        {
            Set(downward, "defaultMode", 420);
            foreach (var item in Items(downward, "items"))
            {
                if (item["fieldRef"] is JsonObject fr)
                {
                    Set(fr, "apiVersion", "v1");
                }

                if (item["resourceFieldRef"] is JsonObject rf)
                {
                    rf["divisor"] = Quantity.Canonicalize(rf["divisor"]?.ToString() ?? "0");
                }
            }
        }

        if (v["projected"] is JsonObject projected)
        {
            Set(projected, "defaultMode", 420);
            foreach (var source in Items(projected, "sources"))
            {
                if (source["serviceAccountToken"] is JsonObject sat)
                {
                    Set(sat, "expirationSeconds", 3600);
                }
            }
        }

        if (v["hostPath"] is JsonObject hostPath)
        {
            Set(hostPath, "type", string.Empty);
        }

        if (v["emptyDir"] is JsonObject emptyDir && emptyDir["sizeLimit"] is JsonValue size)
        {
            emptyDir["sizeLimit"] = Quantity.Canonicalize(size.ToString());
        }

        if (v["iscsi"] is JsonObject iscsi)
        {
            Set(iscsi, "iscsiInterface", "default");
        }

        if (v["azureDisk"] is JsonObject azure)
        {
            Set(azure, "cachingMode", "ReadWrite");
            Set(azure, "fsType", "ext4");
            Set(azure, "readOnly", false);
            Set(azure, "kind", "Shared");
        }
    }

    private static void Container(JsonObject c, bool hostNetwork)
    {
        Set(c, "terminationMessagePath", "/dev/termination-log");
        Set(c, "terminationMessagePolicy", "File");
        Set(c, "imagePullPolicy", PullPolicy((string?)c["image"]));
        if (c["resources"] is not JsonObject resources)
        {
            resources = new JsonObject();
            c["resources"] = resources;
        }

        CanonicalMap(resources["limits"] as JsonObject);
        CanonicalMap(resources["requests"] as JsonObject);
        if (resources["limits"] is JsonObject limits)
        {
            var requests = resources["requests"] as JsonObject;
            foreach (var (k, v) in limits)
            {
                if (requests is null)
                {
                    requests = new JsonObject();
                    resources["requests"] = requests;
                }

                if (!requests.ContainsKey(k))
                {
                    requests[k] = v?.DeepClone();
                }
            }
        }

        foreach (var port in Items(c, "ports"))
        {
            Set(port, "protocol", "TCP");
            if (hostNetwork && port["hostPort"] is null && port["containerPort"] is not null)
            {
                port["hostPort"] = port["containerPort"]!.DeepClone();
            }
        }

        foreach (var env in Items(c, "env"))
        {
            if (env["valueFrom"]?["fieldRef"] is JsonObject fieldRef)
            {
                Set(fieldRef, "apiVersion", "v1");
            }

            if (env["valueFrom"]?["resourceFieldRef"] is JsonObject rf)
            {
                rf["divisor"] = Quantity.Canonicalize(rf["divisor"]?.ToString() ?? "0");
            }
        }

        foreach (var probeName in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (c[probeName] is JsonObject probe)
            {
                Set(probe, "timeoutSeconds", 1);
                Set(probe, "periodSeconds", 10);
                Set(probe, "successThreshold", 1);
                Set(probe, "failureThreshold", 3);
                if (probe["httpGet"] is JsonObject httpGet)
                {
                    Set(httpGet, "scheme", "HTTP");
                    Set(httpGet, "path", "/");
                }

                if (probe["grpc"] is JsonObject grpc)
                {
                    Set(grpc, "service", string.Empty);
                }
            }
        }

        foreach (var handlerName in new[] { "postStart", "preStop" })
        {
            if (c["lifecycle"]?[handlerName]?["httpGet"] is JsonObject httpGet)
            {
                Set(httpGet, "scheme", "HTTP");
                Set(httpGet, "path", "/");
            }
        }
    }

    private static string PullPolicy(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return "IfNotPresent";
        }

        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        var lastSlash = image.LastIndexOf('/');
        var tagStart = image.IndexOf(':', lastSlash + 1);
        var tag = tagStart < 0 ? "latest" : image[(tagStart + 1)..];
        return tag == "latest" ? "Always" : "IfNotPresent";
    }

    private static void CanonicalMap(JsonObject? map)
    {
        if (map is null)
        {
            return;
        }

        foreach (var key in map.Select(kv => kv.Key).ToList())
        {
            if (map[key] is JsonValue v)
            {
                map[key] = Quantity.Canonicalize(v.ToString());
            }
        }
    }

    private static void ApplySchemaDefaults(JsonNode? node, SchemaNode schema, bool topLevel)
    {
        switch (node)
        {
            case JsonObject obj when schema.Kind == SchemaKind.Struct && schema.Fields is not null:
                foreach (var (name, field) in schema.Fields)
                {
                    if (topLevel && name == "metadata")
                    {
                        continue;
                    }

                    if (!obj.ContainsKey(name) && field.Default is not null)
                    {
                        obj[name] = field.Default.DeepClone();
                    }

                    if (obj[name] is JsonNode child)
                    {
                        ApplySchemaDefaults(child, field, false);
                    }
                }

                break;
            case JsonObject map when schema.Kind == SchemaKind.Map && schema.Element is not null:
                foreach (var (_, v) in map)
                {
                    ApplySchemaDefaults(v, schema.Element, false);
                }

                break;
            case JsonArray array when schema.Element is not null:
                foreach (var item in array)
                {
                    ApplySchemaDefaults(item, schema.Element, false);
                }

                break;
        }
    }

    public static JsonObject Obj(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject o)
        {
            return o;
        }

        o = new JsonObject();
        parent[name] = o;
        return o;
    }

    private static void Set(JsonObject obj, string name, JsonNode value)
    {
        if (obj[name] is null)
        {
            obj[name] = value;
        }
    }

    private static IEnumerable<JsonObject> Items(JsonObject? parent, string name) =>
        parent?[name] is JsonArray a ? a.OfType<JsonObject>().ToList() : [];
}
