using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The <c>scale</c> subresource: an <c>autoscaling/v1</c> Scale view of a workload's replicas and selector.</summary>
internal static class ScaleView
{
    public static JsonObject From(ResourceType type, JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject;
        var selector = obj["spec"]?["selector"];
        string? selectorText = null;
        if (selector?["matchLabels"] is JsonObject ml)
        {
            selectorText = string.Join(",", ml.Select(kv => kv.Key + "=" + kv.Value));
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = meta?["name"]?.DeepClone(),
                ["namespace"] = meta?["namespace"]?.DeepClone(),
                ["uid"] = meta?["uid"]?.DeepClone(),
                ["resourceVersion"] = meta?["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = meta?["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.DeepClone() ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = obj["status"]?["replicas"]?.DeepClone() ?? 0,
                ["selector"] = selectorText,
            },
        };
    }
}
