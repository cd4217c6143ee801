using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// The ClusterRole aggregation controller: an aggregated role's <c>rules</c> are the rules of the ClusterRoles its
/// <c>aggregationRule.clusterRoleSelectors</c> select (by selector, then by name, without duplicates), kept up to date
/// whenever a ClusterRole changes.
/// </summary>
internal sealed class ClusterRoleAggregator
{
    private readonly EmulatorCore _core;
    private bool _aggregating;

    public ClusterRoleAggregator(EmulatorCore core) => _core = core;

    public static bool IsClusterRole(ResourceType type) => type.Group == "rbac.authorization.k8s.io" && type.Kind == "ClusterRole";

    /// <summary>Brings every aggregated ClusterRole's rules up to date (its own writes re-enter and are skipped).</summary>
    public void Aggregate(ResourceType type)
    {
        if (_aggregating)
        {
            return;
        }

        _aggregating = true;
        try
        {
            // An aggregated role can select another aggregated role: repeat until nothing changes.
            for (var round = 0; round < 10; round++)
            {
                var roles = _core.Store.AllOf(type.StorageKey).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
                var changed = false;
                foreach (var role in roles)
                {
                    if (role.Node["aggregationRule"]?["clusterRoleSelectors"] is not JsonArray selectors
                        || role.Node["metadata"]?["deletionTimestamp"] is not null)
                    {
                        continue;
                    }

                    var rules = new JsonArray();
                    foreach (var selector in selectors.OfType<JsonObject>().Select(LabelSelector.FromObject))
                    {
                        foreach (var selected in roles.Where(r => r.Name != role.Name && selector.Matches(LabelSelector.LabelsOf(r.Node))))
                        {
                            foreach (var rule in selected.Node["rules"] as JsonArray ?? [])
                            {
                                if (rule is not null && !rules.Any(r => JsonNode.DeepEquals(r, rule)))
                                {
                                    rules.Add(rule.DeepClone());
                                }
                            }
                        }
                    }

                    var current = role.Node["rules"] as JsonArray ?? [];
                    if (JsonNode.DeepEquals(current, rules))
                    {
                        continue;
                    }

                    _core.Write(new WriteRequest
                    {
                        Type = type,
                        Kind = WriteKind.Patch,
                        Name = role.Name,
                        Manager = "kube-controller-manager",
                        Patch = (live, _) =>
                        {
                            live["rules"] = rules.DeepClone();
                            return live;
                        },
                    });
                    changed = true;
                }

                if (!changed)
                {
                    return;
                }
            }
        }
        finally
        {
            _aggregating = false;
        }
    }
}
