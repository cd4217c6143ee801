namespace GitOps.Sdk.Tests.Diff;

/// <summary>Builds small desired/live objects for the rule tests.</summary>
internal static class DiffTestObjects
{
    /// <summary>A Deployment with one container, with the given pod-spec JSON fragment merged into the container list.</summary>
    public static KubeObject Deployment(string containers, string extraSpec = "", string metadata = "", string podSpecExtra = "") =>
        KubeObject.Parse($$"""
        {
          "apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": { "name": "web", "namespace": "shop" {{(metadata.Length > 0 ? "," + metadata : "")}} },
          "spec": {
            "selector": { "matchLabels": { "app": "web" } } {{(extraSpec.Length > 0 ? "," + extraSpec : "")}},
            "template": {
              "metadata": { "labels": { "app": "web" } },
              "spec": { "containers": {{containers}} {{(podSpecExtra.Length > 0 ? "," + podSpecExtra : "")}} }
            }
          }
        }
        """);

    public static KubeObject Object(string json) => KubeObject.Parse(json);
}
