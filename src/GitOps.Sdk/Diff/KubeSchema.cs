using System.Text;

namespace GitOps.Sdk.Diff;

/// <summary>How a list is merged by the API server, after the <c>patchStrategy</c>/<c>listType</c> markers of the API types.</summary>
internal enum ListKind
{
    /// <summary>Replaced as a whole (<c>listType=atomic</c>); compared position by position.</summary>
    Atomic,

    /// <summary>Items are identified by key fields (<c>listType=map</c>, <c>patchMergeKey</c>).</summary>
    Map,

    /// <summary>Items are scalars identified by value (<c>listType=set</c>).</summary>
    Set,
}

/// <summary>How a scalar compares.</summary>
internal enum ScalarKind
{
    /// <summary>JSON equality, with numbers compared by value and int-or-string digits equal to the number.</summary>
    Any,

    /// <summary>A resource quantity (<c>500m</c> = <c>0.5</c>).</summary>
    Quantity,
}

/// <summary>One key field of a map list, with the value the server defaults it to when omitted.</summary>
internal sealed class ListKey(string name, string? defaultValue = null)
{
    public string Name { get; } = name;

    public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

    /// <summary>Gets the JSON string value the server assumes when the field is absent (e.g. <c>TCP</c> for port protocols).</summary>
    public byte[]? Utf8Default { get; } = defaultValue is null ? null : Encoding.UTF8.GetBytes(defaultValue);
}

/// <summary>
/// What the diff engine knows about one field's type: list merge keys, quantity scalars, and where an empty object still
/// means something. A small, hand-written subset of the built-in API types — only what changes how values compare.
/// Unknown fields fall back to <see cref="Generic"/>.
/// </summary>
internal sealed class SchemaNode
{
    private (byte[] Name, SchemaNode Node)[] _fields = [];
    private SchemaNode? _fallback;

    private SchemaNode(string name) => Name = name;

    public string Name { get; }

    /// <summary>Gets the list kind when the field is a list.</summary>
    public ListKind ListKind { get; private set; } = ListKind.Atomic;

    /// <summary>Gets the key fields of a <see cref="ListKind.Map"/> list.</summary>
    public ListKey[] Keys { get; private set; } = [];

    /// <summary>Gets a second identity (<c>name</c>) used to pair items whose key changed, so a changed port reads as a changed field.</summary>
    public byte[]? SecondaryKey { get; private set; }

    /// <summary>Gets the type of list items or map values.</summary>
    public SchemaNode? Items { get; private set; }

    /// <summary>Gets how a scalar compares.</summary>
    public ScalarKind Scalar { get; private set; }

    /// <summary>Gets a value indicating whether an empty object under this node differs from an absent one (volume sources: <c>emptyDir: {}</c>).</summary>
    public bool ObjectPresenceMatters { get; private set; }

    /// <summary>Gets the type of a named child field.</summary>
    public SchemaNode? Child(ReadOnlySpan<byte> utf8Name)
    {
        foreach (var (name, node) in _fields)
        {
            if (utf8Name.SequenceEqual(name))
            {
                return node;
            }
        }

        return Items ?? _fallback;
    }

    // ---- the schema ---------------------------------------------------------------------------------------------

    /// <summary>Gets the type of a field about which nothing specific is known; it still knows quantities in <c>resources</c>.</summary>
    public static SchemaNode Generic { get; }

    public static SchemaNode Quantity { get; }

    private static readonly SchemaNode DefaultRoot;
    private static readonly Dictionary<(string Group, string Kind), SchemaNode> Roots;

    static SchemaNode()
    {
        Generic = new SchemaNode("generic");
        Quantity = new SchemaNode("quantity") { Scalar = ScalarKind.Quantity };
        var quantityMap = new SchemaNode("quantity-map") { Items = Quantity };
        var resources = Object("resources", ("limits", quantityMap), ("requests", quantityMap), ("claims", MapList("claims", Generic, "name")));
        var emptyDir = Object("emptyDir", ("sizeLimit", Quantity));
        Generic._fields = [(U("resources"), resources), (U("emptyDir"), emptyDir)];
        Generic._fallback = Generic;

        var objectMeta = Object(
            "metadata",
            ("ownerReferences", MapList("ownerReferences", Generic, "uid")),
            ("finalizers", new SchemaNode("finalizers") { ListKind = ListKind.Set, Items = Generic }));

        var containerPorts = MapList("ports", Generic, ("containerPort", null), ("protocol", "TCP"));
        containerPorts.SecondaryKey = U("name");
        var container = Object(
            "container",
            ("ports", containerPorts),
            ("env", MapList("env", Generic, "name")),
            ("volumeMounts", MapList("volumeMounts", Generic, "mountPath")),
            ("volumeDevices", MapList("volumeDevices", Generic, "devicePath")),
            ("resources", resources));
        var volume = Object("volume", ("emptyDir", emptyDir));
        volume.ObjectPresenceMatters = true;
        var podSpec = Object(
            "podSpec",
            ("containers", MapList("containers", container, "name")),
            ("initContainers", MapList("initContainers", container, "name")),
            ("ephemeralContainers", MapList("ephemeralContainers", container, "name")),
            ("volumes", MapList("volumes", volume, "name")),
            ("imagePullSecrets", MapList("imagePullSecrets", Generic, "name")),
            ("hostAliases", MapList("hostAliases", Generic, "ip")),
            ("topologySpreadConstraints", MapList("topologySpreadConstraints", Generic, ("topologyKey", null), ("whenUnsatisfiable", null))),
            ("resourceClaims", MapList("resourceClaims", Generic, "name")),
            ("schedulingGates", MapList("schedulingGates", Generic, "name")),
            ("overhead", quantityMap),
            ("resources", resources));
        var podTemplate = Object("podTemplate", ("metadata", objectMeta), ("spec", podSpec));
        var workloadSpec = Object("workloadSpec", ("template", podTemplate));
        var jobSpec = workloadSpec;
        var cronJobSpec = Object("cronJobSpec", ("jobTemplate", Object("jobTemplate", ("metadata", objectMeta), ("spec", jobSpec))));

        var servicePorts = MapList("ports", Generic, ("port", null), ("protocol", "TCP"));
        servicePorts.SecondaryKey = U("name");
        var serviceSpec = Object("serviceSpec", ("ports", servicePorts));

        var limitItem = Object(
            "limitRangeItem",
            ("max", quantityMap),
            ("min", quantityMap),
            ("default", quantityMap),
            ("defaultRequest", quantityMap),
            ("maxLimitRequestRatio", quantityMap));
        var limitRangeSpec = Object("limitRangeSpec", ("limits", new SchemaNode("limits") { Items = limitItem }));
        var quotaSpec = Object("resourceQuotaSpec", ("hard", quantityMap));

        var metricTarget = Object("metricTarget", ("averageValue", Quantity), ("value", Quantity));
        var metricSource = Object("metricSource", ("target", metricTarget));
        var metricSpec = Object(
            "metricSpec",
            ("resource", metricSource),
            ("containerResource", metricSource),
            ("pods", metricSource),
            ("object", metricSource),
            ("external", metricSource));
        var hpaSpec = Object("hpaSpec", ("metrics", new SchemaNode("metrics") { Items = metricSpec }));

        var webhooks = MapList("webhooks", Generic, "name");

        DefaultRoot = Root(("metadata", objectMeta));
        Roots = new Dictionary<(string, string), SchemaNode>
        {
            [("apps", "Deployment")] = Root(("metadata", objectMeta), ("spec", workloadSpec)),
            [("apps", "ReplicaSet")] = Root(("metadata", objectMeta), ("spec", workloadSpec)),
            [("apps", "DaemonSet")] = Root(("metadata", objectMeta), ("spec", workloadSpec)),
            [("apps", "StatefulSet")] = Root(("metadata", objectMeta), ("spec", workloadSpec)),
            [("batch", "Job")] = Root(("metadata", objectMeta), ("spec", jobSpec)),
            [("batch", "CronJob")] = Root(("metadata", objectMeta), ("spec", cronJobSpec)),
            [("", "ReplicationController")] = Root(("metadata", objectMeta), ("spec", workloadSpec)),
            [("", "Pod")] = Root(("metadata", objectMeta), ("spec", podSpec)),
            [("", "PodTemplate")] = Root(("metadata", objectMeta), ("template", podTemplate)),
            [("", "Service")] = Root(("metadata", objectMeta), ("spec", serviceSpec)),
            [("", "LimitRange")] = Root(("metadata", objectMeta), ("spec", limitRangeSpec)),
            [("", "ResourceQuota")] = Root(("metadata", objectMeta), ("spec", quotaSpec)),
            [("", "ServiceAccount")] = Root(
                ("metadata", objectMeta),
                ("secrets", MapList("secrets", Generic, "name"))),
            [("autoscaling", "HorizontalPodAutoscaler")] = Root(("metadata", objectMeta), ("spec", hpaSpec)),
            [("admissionregistration.k8s.io", "MutatingWebhookConfiguration")] = Root(("metadata", objectMeta), ("webhooks", webhooks)),
            [("admissionregistration.k8s.io", "ValidatingWebhookConfiguration")] = Root(("metadata", objectMeta), ("webhooks", webhooks)),
        };
    }

    /// <summary>Returns the schema of a kind's top-level object.</summary>
    public static SchemaNode ForKind(string group, string kind) =>
        Roots.TryGetValue((group, kind), out var node) ? node : DefaultRoot;

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    private static SchemaNode Object(string name, params (string Name, SchemaNode Node)[] fields) =>
        new(name) { _fields = [.. fields.Select(f => (U(f.Name), f.Node))], _fallback = Generic };

    private static SchemaNode Root(params (string Name, SchemaNode Node)[] fields) => Object("root", fields);

    private static SchemaNode MapList(string name, SchemaNode items, params string[] keys) =>
        new(name) { ListKind = ListKind.Map, Items = items, Keys = [.. keys.Select(k => new ListKey(k))] };

    private static SchemaNode MapList(string name, SchemaNode items, params (string Name, string? Default)[] keys) =>
        new(name) { ListKind = ListKind.Map, Items = items, Keys = [.. keys.Select(k => new ListKey(k.Name, k.Default))] };
}
