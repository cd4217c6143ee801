using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// Discovery documents for the built-in group versions the recordings list in <c>/apis</c> but did not record
/// resource lists for: enough for clients (kubectl, leader election on leases) to discover and use them.
/// </summary>
internal static class SyntheticBuiltins
{
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    // groupVersion -> (plural, kind, namespaced, shortNames, hasStatus, verbs-or-null)
    private static readonly Dictionary<string, (string Plural, string Kind, bool Namespaced, string[] Short, bool Status, string[]? Verbs)[]> Table = new(StringComparer.Ordinal)
    {
        ["apiregistration.k8s.io/v1"] = [("apiservices", "APIService", false, [], true, null)],
        ["events.k8s.io/v1"] = [("events", "Event", true, ["ev"], false, null)],
        ["events.k8s.io/v1beta1"] = [("events", "Event", true, ["ev"], false, null)],
        ["authentication.k8s.io/v1"] = [("tokenreviews", "TokenReview", false, [], false, ["create"])],
        ["authorization.k8s.io/v1"] =
        [
            ("localsubjectaccessreviews", "LocalSubjectAccessReview", true, [], false, ["create"]),
            ("selfsubjectaccessreviews", "SelfSubjectAccessReview", false, [], false, ["create"]),
            ("selfsubjectrulesreviews", "SelfSubjectRulesReview", false, [], false, ["create"]),
            ("subjectaccessreviews", "SubjectAccessReview", false, [], false, ["create"]),
        ],
        ["autoscaling/v1"] = [("horizontalpodautoscalers", "HorizontalPodAutoscaler", true, ["hpa"], true, null)],
        ["autoscaling/v2beta1"] = [("horizontalpodautoscalers", "HorizontalPodAutoscaler", true, ["hpa"], true, null)],
        ["autoscaling/v2beta2"] = [("horizontalpodautoscalers", "HorizontalPodAutoscaler", true, ["hpa"], true, null)],
        ["batch/v1beta1"] = [("cronjobs", "CronJob", true, ["cj"], true, null)],
        ["certificates.k8s.io/v1"] = [("certificatesigningrequests", "CertificateSigningRequest", false, ["csr"], true, null)],
        ["policy/v1beta1"] =
        [
            ("poddisruptionbudgets", "PodDisruptionBudget", true, ["pdb"], true, null),
            ("podsecuritypolicies", "PodSecurityPolicy", false, ["psp"], false, null),
        ],
        ["storage.k8s.io/v1"] =
        [
            ("csidrivers", "CSIDriver", false, [], false, null),
            ("csinodes", "CSINode", false, [], false, null),
            ("storageclasses", "StorageClass", false, ["sc"], false, null),
            ("volumeattachments", "VolumeAttachment", false, [], true, null),
        ],
        ["storage.k8s.io/v1beta1"] = [("csistoragecapacities", "CSIStorageCapacity", true, [], false, null)],
        ["admissionregistration.k8s.io/v1"] =
        [
            ("mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false, [], false, null),
            ("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false, [], false, null),
        ],
        ["scheduling.k8s.io/v1"] = [("priorityclasses", "PriorityClass", false, ["pc"], false, null)],
        ["coordination.k8s.io/v1"] = [("leases", "Lease", true, [], false, null)],
        ["node.k8s.io/v1"] = [("runtimeclasses", "RuntimeClass", false, [], false, null)],
        ["node.k8s.io/v1beta1"] = [("runtimeclasses", "RuntimeClass", false, [], false, null)],
        ["discovery.k8s.io/v1"] = [("endpointslices", "EndpointSlice", true, [], false, null)],
        ["discovery.k8s.io/v1beta1"] = [("endpointslices", "EndpointSlice", true, [], false, null)],
        ["flowcontrol.apiserver.k8s.io/v1beta2"] =
        [
            ("flowschemas", "FlowSchema", false, [], true, null),
            ("prioritylevelconfigurations", "PriorityLevelConfiguration", false, [], true, null),
        ],
        ["flowcontrol.apiserver.k8s.io/v1beta1"] =
        [
            ("flowschemas", "FlowSchema", false, [], true, null),
            ("prioritylevelconfigurations", "PriorityLevelConfiguration", false, [], true, null),
        ],
    };

    public static JsonObject? For(string groupVersion)
    {
        if (!Table.TryGetValue(groupVersion, out var rows))
        {
            return null;
        }

        var slash = groupVersion.IndexOf('/', StringComparison.Ordinal);
        var group = groupVersion[..slash];
        var version = groupVersion[(slash + 1)..];
        var resources = new JsonArray();
        foreach (var (plural, kind, namespaced, shortNames, status, verbs) in rows)
        {
            var r = new JsonObject
            {
                ["name"] = plural,
                ["singularName"] = string.Empty,
                ["namespaced"] = namespaced,
                ["kind"] = kind,
                ["verbs"] = new JsonArray([.. (verbs ?? AllVerbs).Select(v => (JsonNode)JsonValue.Create(v))]),
            };
            if (shortNames.Length > 0)
            {
                r["shortNames"] = new JsonArray([.. shortNames.Select(v => (JsonNode)JsonValue.Create(v))]);
            }

            if (verbs is null)
            {
                r["storageVersionHash"] = ResourceRegistry.StorageVersionHash(group, version, kind);
            }

            resources.Add(r);
            if (status)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = plural + "/status",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = namespaced,
                    ["kind"] = kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = groupVersion,
            ["resources"] = resources,
        };
    }
}
