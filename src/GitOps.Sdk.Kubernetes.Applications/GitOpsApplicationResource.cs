namespace GitOps.Sdk.Kubernetes.Applications;

/// <summary>The <c>GitOpsApplication</c> custom resource: its names and the CustomResourceDefinition this package ships.</summary>
public static class GitOpsApplicationResource
{
    /// <summary>The API group.</summary>
    public const string Group = "gitops.sdk.io";

    /// <summary>The served version.</summary>
    public const string Version = "v1alpha1";

    /// <summary>The apiVersion of the resources.</summary>
    public const string ApiVersion = Group + "/" + Version;

    /// <summary>The kind.</summary>
    public const string Kind = "GitOpsApplication";

    /// <summary>The plural resource name (<c>kubectl get gitopsapplications</c>).</summary>
    public const string Plural = "gitopsapplications";

    /// <summary>The CustomResourceDefinition's name.</summary>
    public const string CrdName = Plural + "." + Group;

    private const string ResourceName = "GitOps.Sdk.Kubernetes.Applications." + CrdName + ".yaml";

    /// <summary>Gets the group and kind.</summary>
    public static GroupKind GroupKind { get; } = new(Group, Kind);

    /// <summary>Returns the shipped CustomResourceDefinition as YAML (the same text as <c>deploy/crds/gitopsapplications.gitops.sdk.io.yaml</c>).</summary>
    /// <returns>The YAML.</returns>
    public static string GetCrdYaml()
    {
        using var stream = typeof(GitOpsApplicationResource).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing from {typeof(GitOpsApplicationResource).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
