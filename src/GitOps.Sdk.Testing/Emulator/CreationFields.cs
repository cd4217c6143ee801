using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The fields the server (and its admission plugins) set on a new object by kind: generation tracking, Job selectors, protection finalizers, a CRD's initial status.</summary>
internal static class CreationFields
{
    public static bool TracksGeneration(ResourceType type) =>
        type.IsCustom || type.Group is "apps" or "batch" or "policy" or "networking.k8s.io" or "apiextensions.k8s.io" or "admissionregistration.k8s.io";

    public static void SetOnCreate(ResourceType type, JsonObject obj)
    {
        var meta = ManagedFields.Meta(obj);
        switch (type.Group + "/" + type.Kind)
        {
            case "apps/DaemonSet":
                Defaults.Obj(meta, "annotations")["deprecated.daemonset.template.generation"] = "1";
                break;
            case "batch/Job":
                var uid = (string)meta["uid"]!;
                var spec = Defaults.Obj(obj, "spec");
                if (!JsonValues.Bool(spec["manualSelector"]))
                {
                    spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["controller-uid"] = uid } };
                    var template = Defaults.Obj(spec, "template");
                    var labels = Defaults.Obj(Defaults.Obj(template, "metadata"), "labels");
                    labels["controller-uid"] = uid;
                    labels["job-name"] = (string)meta["name"]!;
                }

                if (meta["labels"] is not JsonObject { Count: > 0 } && spec["template"]?["metadata"]?["labels"] is JsonObject tl)
                {
                    meta["labels"] = tl.DeepClone();
                }

                Defaults.Obj(meta, "annotations")["batch.kubernetes.io/job-tracking"] = string.Empty;
                break;
            case "/PersistentVolumeClaim":
                AddFinalizer(meta, "kubernetes.io/pvc-protection");
                break;
            case "/PersistentVolume":
                AddFinalizer(meta, "kubernetes.io/pv-protection");
                break;
            case "apiextensions.k8s.io/CustomResourceDefinition":
                // Stored before the naming controller has looked at it: no conditions, no accepted names yet.
                obj["status"] = new JsonObject
                {
                    ["conditions"] = null,
                    ["acceptedNames"] = new JsonObject { ["plural"] = string.Empty, ["kind"] = string.Empty },
                    ["storedVersions"] = new JsonArray([.. (obj["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>()
                        .Where(v => JsonValues.Bool(v["storage"])).Select(v => (JsonNode)JsonValue.Create((string)v["name"]!))]),
                };
                break;
        }
    }

    private static void AddFinalizer(JsonObject meta, string finalizer)
    {
        if (meta["finalizers"] is not JsonArray list)
        {
            list = [];
            meta["finalizers"] = list;
        }

        if (!list.Any(f => (string?)f == finalizer))
        {
            list.Add(finalizer);
        }
    }
}
