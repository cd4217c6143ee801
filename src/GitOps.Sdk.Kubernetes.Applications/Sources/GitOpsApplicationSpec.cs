using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk.Kubernetes.Applications;

/// <summary>One <c>GitOpsApplication</c> as the source read it: identity, generation and the definition or why there is none.</summary>
/// <param name="Namespace">The resource's namespace.</param>
/// <param name="Name">The resource's name, which is the application's name.</param>
/// <param name="Uid">The resource's uid.</param>
/// <param name="Generation">The resource's <c>metadata.generation</c>.</param>
/// <param name="Definition">The definition to offer, or <see langword="null"/> when the spec has problems.</param>
/// <param name="Problems">What is wrong with the spec, each naming the field.</param>
/// <param name="LiveStatus">The resource's status as last seen, or <see langword="null"/>.</param>
internal sealed record ResourceEntry(
    string Namespace,
    string Name,
    string Uid,
    long Generation,
    ApplicationDefinition? Definition,
    ImmutableArray<string> Problems,
    JsonElement? LiveStatus)
{
    /// <summary>Gets the resource that took the name first when this one is a duplicate (another namespace), else <see langword="null"/>.</summary>
    public string? DuplicateOf { get; init; }

    public string Id => $"{Namespace}/{Name}";
}

/// <summary>
/// Maps a <c>GitOpsApplication</c>'s spec onto an <see cref="ApplicationDefinition"/> with the engine's own reader (the
/// spec has the keys of an application in the <c>GitOps</c> configuration section, in camelCase), checks it with the
/// engine's validation, and confines a resource outside the privileged namespaces to its own namespace.
/// </summary>
internal static class GitOpsApplicationSpec
{
    public static ResourceEntry Read(KubeObject resource, GitOpsApplicationSourceOptions options, IEnumerable<IRendererOptionsBinder>? rendererBinders)
    {
        var ns = resource.Namespace;
        var name = resource.Name;
        var label = $"GitOpsApplication {ns}/{name}";
        var generation = resource.Metadata.TryGetProperty("generation", out var g) && g.TryGetInt64(out var gen) ? gen : 0;
        var uid = resource.Metadata.TryGetProperty("uid", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : string.Empty;
        JsonElement? liveStatus = resource.Json.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.Object ? st.Clone() : null;
        var problems = new List<string>();
        if (!resource.Json.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{label}: spec is required (with at least spec.source.url)");
            return new ResourceEntry(ns, name, uid, generation, null, [.. problems], liveStatus);
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Flatten(spec, "spec", values);
        var section = new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("spec");
        var errors = new List<string>();
        var definition = ApplicationDefinitionReader.Read(section, name, rendererBinders, errors);
        problems.AddRange(errors.Select(e => $"{label}: {e}"));
        // The application belongs to this resource's namespace and name: another resource of the same name (in another
        // namespace) that gets the name later is another application, and the inventory this one writes is not its.
        definition = Confine(definition, ns, options, label, problems) with { Owner = label };
        if (problems.Count == 0)
        {
            problems.AddRange(ApplicationDefinitionReader.Validate(definition).Select(p => $"{label}: {p}"));
        }

        return new ResourceEntry(ns, name, uid, generation, problems.Count == 0 ? definition : null, [.. problems], liveStatus);
    }

    /// <summary>
    /// The namespace defaults to the resource's; outside <see cref="GitOpsApplicationSourceOptions.PrivilegedNamespaces"/>
    /// the application may target only that namespace and nothing cluster-scoped, and may not take over objects of other
    /// applications or use the host's named credentials.
    /// </summary>
    private static ApplicationDefinition Confine(ApplicationDefinition definition, string ns, GitOpsApplicationSourceOptions options, string label, List<string> problems)
    {
        if (string.IsNullOrEmpty(definition.Namespace))
        {
            definition = definition with { Namespace = ns };
        }

        if (options.PrivilegedNamespaces.Contains(ns, StringComparer.Ordinal))
        {
            return definition;
        }

        var why = $"a GitOpsApplication in namespace '{ns}' deploys only to '{ns}' (GitOpsApplicationSourceOptions.PrivilegedNamespaces lists the namespaces whose resources may do more)";
        if (!string.Equals(definition.Namespace, ns, StringComparison.Ordinal))
        {
            problems.Add($"{label}: spec.namespace '{definition.Namespace}' is refused: {why}");
        }

        var elsewhere = definition.AllowedNamespaces.Where(a => !string.Equals(a?.Trim(), ns, StringComparison.Ordinal)).ToArray();
        if (elsewhere.Length > 0)
        {
            problems.Add($"{label}: spec.allowedNamespaces ({string.Join(", ", elsewhere)}) is refused: {why}");
        }

        if (definition.AllowedClusterKinds.Length > 0)
        {
            problems.Add($"{label}: spec.allowedClusterKinds ({string.Join(", ", definition.AllowedClusterKinds)}) is refused: {why}, and declares no cluster-scoped kind");
        }

        if (definition.AllowClusterAdminBindings)
        {
            problems.Add($"{label}: spec.allowClusterAdminBindings is refused: {why}");
        }

        if (definition.AllowTakeover)
        {
            problems.Add($"{label}: spec.allowTakeover is refused: {why}, and does not take over objects of other applications");
        }

        if (definition.Source?.CredentialsName is { Length: > 0 })
        {
            problems.Add($"{label}: spec.source.credentialsName is refused: {why}, and does not use the host's named credentials");
        }

        return definition with { AllowedNamespaces = [ns] };
    }

    /// <summary>Lays a JSON value out as configuration keys: <c>spec:source:url</c>, <c>spec:dependsOn:0</c>.</summary>
    internal static void Flatten(JsonElement element, string prefix, Dictionary<string, string?> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, $"{prefix}:{property.Name}", values);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}:{i.ToString(CultureInfo.InvariantCulture)}", values);
                    i++;
                }

                break;
            case JsonValueKind.String:
                values[prefix] = element.GetString();
                break;
            case JsonValueKind.True:
                values[prefix] = "true";
                break;
            case JsonValueKind.False:
                values[prefix] = "false";
                break;
            case JsonValueKind.Number:
                values[prefix] = element.GetRawText();
                break;
        }
    }
}
