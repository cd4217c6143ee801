using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// A minimal OpenAPI v3 surface: the index and, per group version, the PATCH operations with their
/// group/version/kind and the <c>fieldValidation</c> query parameter, which is what kubectl inspects to use
/// server-side field validation. Schemas are not published.
/// </summary>
internal static class OpenApi
{
    public static JsonObject Index(ResourceRegistry registry)
    {
        var paths = new JsonObject();
        foreach (var gv in registry.All.Select(t => t.Group.Length == 0 ? "api/" + t.Version : "apis/" + t.Group + "/" + t.Version).Distinct().Order(StringComparer.Ordinal))
        {
            paths[gv] = new JsonObject { ["serverRelativeURL"] = "/openapi/v3/" + gv };
        }

        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? GroupVersion(ResourceRegistry registry, string gvPath)
    {
        var types = registry.All.Where(t => (t.Group.Length == 0 ? "api/" + t.Version : "apis/" + t.Group + "/" + t.Version) == gvPath).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var t in types.OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            var prefix = "/" + gvPath + (t.Namespaced ? "/namespaces/{namespace}/" : "/") + t.Plural + "/{name}";
            paths[prefix] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = "patch" + t.Kind,
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = t.Group, ["version"] = t.Version, ["kind"] = t.Kind },
                    ["parameters"] = new JsonArray(
                        Param("dryRun"), Param("fieldManager"), Param("fieldValidation"), Param("force")),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.24.17" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static JsonObject Param(string name) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };
}
