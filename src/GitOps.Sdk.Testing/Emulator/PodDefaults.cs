using System.Text.Json.Nodes;
using static GitOps.Sdk.Testing.Emulator.Defaults;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Defaults of a pod spec wherever it appears (Pods and every pod template): containers, probes, volumes, pull policy, DNS and scheduling fields.</summary>
internal static class PodDefaults
{
    public static void PodTemplate(JsonObject template)
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
}
