using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

internal enum SchemaKind
{
    /// <summary>A scalar (string, number, boolean).</summary>
    Scalar,

    /// <summary>An object whose keys are declared fields (unknown keys are treated like declared ones).</summary>
    Struct,

    /// <summary>An object whose keys are free-form (labels, data, additionalProperties).</summary>
    Map,

    /// <summary>A list; see <see cref="ListType"/>.</summary>
    List,

    /// <summary>No schema: objects behave like maps, lists are atomic (x-kubernetes-preserve-unknown-fields).</summary>
    Deduced,
}

internal enum ListType
{
    Atomic,
    Set,
    Map,
}

/// <summary>
/// The slice of the OpenAPI schema server-side apply needs: which objects are structs or maps, which lists
/// are associative (and their keys), sets or atomic, which structs and maps are atomic, and CRD defaults.
/// </summary>
internal sealed class SchemaNode
{
    public static readonly SchemaNode Untyped = new() { Kind = SchemaKind.Struct };
    public static readonly SchemaNode DeducedNode = new() { Kind = SchemaKind.Deduced };
    public static readonly SchemaNode ScalarNode = new() { Kind = SchemaKind.Scalar };
    public static readonly SchemaNode AtomicNode = new() { Kind = SchemaKind.Struct, Atomic = true };

    public SchemaKind Kind { get; init; }

    public Dictionary<string, SchemaNode>? Fields { get; init; }

    public SchemaNode? Element { get; init; }

    public bool Atomic { get; init; }

    public ListType ListType { get; init; }

    public string[] Keys { get; init; } = [];

    public Dictionary<string, JsonNode>? KeyDefaults { get; init; }

    public JsonNode? Default { get; init; }

    /// <summary>For CRD schemas: the node has x-kubernetes-preserve-unknown-fields (unknown fields kept).</summary>
    public bool PreserveUnknown { get; init; }

    /// <summary>Returns the schema of field <paramref name="name"/> and whether it is a declared struct field.</summary>
    public (SchemaNode Node, bool Declared) Child(string name)
    {
        switch (Kind)
        {
            case SchemaKind.Struct:
                if (Fields is not null && Fields.TryGetValue(name, out var f))
                {
                    return (f, true);
                }

                if (Element is not null)
                {
                    return (Element, false);
                }

                // Built-in structs: unknown fields behave like declared ones; CRD schemas keep unknown fields as deduced.
                return PreserveUnknown ? (DeducedNode, false) : (Untyped, true);
            case SchemaKind.Map:
                return (Element ?? DeducedNode, false);
            case SchemaKind.Deduced:
                return (DeducedNode, false);
            default:
                return (Untyped, true);
        }
    }

    public SchemaNode ItemSchema => Element ?? (Kind == SchemaKind.Deduced ? DeducedNode : Untyped);

    public bool IsAtomicFor(JsonNode? value) => value switch
    {
        JsonArray => Kind != SchemaKind.List || ListType == ListType.Atomic || Atomic,
        JsonObject => Atomic || Kind == SchemaKind.List || Kind == SchemaKind.Scalar,
        _ => true,
    };

    public static SchemaNode Struct(params (string Name, SchemaNode Node)[] fields) =>
        new() { Kind = SchemaKind.Struct, Fields = fields.ToDictionary(f => f.Name, f => f.Node, StringComparer.Ordinal) };

    public static SchemaNode Keyed(SchemaNode item, params string[] keys) =>
        new() { Kind = SchemaKind.List, ListType = ListType.Map, Element = item, Keys = keys };

    public static SchemaNode KeyedWithDefaults(SchemaNode item, Dictionary<string, JsonNode> defaults, params string[] keys) =>
        new() { Kind = SchemaKind.List, ListType = ListType.Map, Element = item, Keys = keys, KeyDefaults = defaults };

    public static SchemaNode SetList() => new() { Kind = SchemaKind.List, ListType = ListType.Set, Element = ScalarNode };

    public static SchemaNode AtomicList() => new() { Kind = SchemaKind.List, ListType = ListType.Atomic };

    public static SchemaNode StringMap() => new() { Kind = SchemaKind.Map, Element = ScalarNode };

    public static SchemaNode AtomicMap() => new() { Kind = SchemaKind.Map, Element = ScalarNode, Atomic = true };
}

/// <summary>Schemas of the built-in kinds, by group/kind, as far as field ownership needs them.</summary>
internal static class BuiltinSchemas
{
    public static SchemaNode ObjectMeta { get; } = SchemaNode.Struct(
        ("labels", SchemaNode.StringMap()),
        ("annotations", SchemaNode.StringMap()),
        ("finalizers", SchemaNode.SetList()),
        ("ownerReferences", SchemaNode.Keyed(SchemaNode.Untyped, "uid")),
        ("managedFields", SchemaNode.AtomicList()));

    // Declared after ObjectMeta: static initializers run in textual order.
    private static readonly Dictionary<string, SchemaNode> ByGroupKind = Build();

    public static SchemaNode? Find(string group, string kind) =>
        ByGroupKind.TryGetValue(group + "/" + kind, out var node) ? node : null;

    private static Dictionary<string, SchemaNode> Build()
    {
        var tcp = new Dictionary<string, JsonNode> { ["protocol"] = JsonValue.Create("TCP") };
        var labelSelector = SchemaNode.AtomicNode;
        var valueFrom = SchemaNode.Struct(
            ("configMapKeyRef", SchemaNode.AtomicNode),
            ("secretKeyRef", SchemaNode.AtomicNode),
            ("fieldRef", SchemaNode.AtomicNode),
            ("resourceFieldRef", SchemaNode.AtomicNode));
        var resources = SchemaNode.Struct(("limits", SchemaNode.StringMap()), ("requests", SchemaNode.StringMap()));
        var container = SchemaNode.Struct(
            ("ports", SchemaNode.KeyedWithDefaults(SchemaNode.Untyped, tcp, "containerPort", "protocol")),
            ("env", SchemaNode.Keyed(SchemaNode.Struct(("valueFrom", valueFrom)), "name")),
            ("volumeMounts", SchemaNode.Keyed(SchemaNode.Untyped, "mountPath")),
            ("volumeDevices", SchemaNode.Keyed(SchemaNode.Untyped, "devicePath")),
            ("resources", resources));
        var podSpec = SchemaNode.Struct(
            ("containers", SchemaNode.Keyed(container, "name")),
            ("initContainers", SchemaNode.Keyed(container, "name")),
            ("ephemeralContainers", SchemaNode.Keyed(container, "name")),
            ("volumes", SchemaNode.Keyed(SchemaNode.Untyped, "name")),
            ("imagePullSecrets", SchemaNode.Keyed(SchemaNode.Untyped, "name")),
            ("hostAliases", SchemaNode.Keyed(SchemaNode.Untyped, "ip")),
            ("topologySpreadConstraints", SchemaNode.Keyed(SchemaNode.Struct(("labelSelector", labelSelector)), "topologyKey", "whenUnsatisfiable")),
            ("nodeSelector", SchemaNode.AtomicMap()),
            ("overhead", SchemaNode.StringMap()));
        var template = SchemaNode.Struct(("metadata", ObjectMeta), ("spec", podSpec));
        var conditions = SchemaNode.Keyed(SchemaNode.Untyped, "type");
        SchemaNode Top(params (string, SchemaNode)[] fields) =>
            SchemaNode.Struct([("metadata", ObjectMeta), .. fields]);
        SchemaNode WithStatus(SchemaNode spec) => Top(("spec", spec), ("status", SchemaNode.Struct(("conditions", conditions))));

        var jobSpec = SchemaNode.Struct(("selector", labelSelector), ("template", template));
        var workload = WithStatus(SchemaNode.Struct(("selector", labelSelector), ("template", template)));
        var d = new Dictionary<string, SchemaNode>(StringComparer.Ordinal)
        {
            ["apps/Deployment"] = workload,
            ["apps/ReplicaSet"] = workload,
            ["apps/DaemonSet"] = workload,
            ["apps/StatefulSet"] = workload,
            ["batch/Job"] = WithStatus(jobSpec),
            ["batch/CronJob"] = WithStatus(SchemaNode.Struct(("jobTemplate", SchemaNode.Struct(("metadata", ObjectMeta), ("spec", jobSpec))))),
            ["/Pod"] = Top(("spec", podSpec), ("status", SchemaNode.Struct(("conditions", conditions)))),
            ["/PodTemplate"] = Top(("template", template)),
            ["/ReplicationController"] = WithStatus(SchemaNode.Struct(("selector", SchemaNode.AtomicMap()), ("template", template))),
            ["/Service"] = Top(("spec", SchemaNode.Struct(
                ("ports", SchemaNode.KeyedWithDefaults(SchemaNode.Untyped, tcp, "port", "protocol")),
                ("selector", SchemaNode.AtomicMap()))),
                ("status", SchemaNode.Struct(("conditions", conditions)))),
            ["/ConfigMap"] = Top(("data", SchemaNode.StringMap()), ("binaryData", SchemaNode.StringMap())),
            ["/Secret"] = Top(("data", SchemaNode.StringMap()), ("stringData", SchemaNode.StringMap())),
            ["/Namespace"] = Top(("status", SchemaNode.Struct(("conditions", conditions)))),
            ["/ServiceAccount"] = Top(("secrets", SchemaNode.Keyed(SchemaNode.Untyped, "name")), ("imagePullSecrets", SchemaNode.AtomicList())),
            ["/PersistentVolumeClaim"] = Top(("spec", SchemaNode.Struct(("selector", labelSelector), ("resources", resources)))),
            ["/ResourceQuota"] = Top(("spec", SchemaNode.Struct(("hard", SchemaNode.StringMap())))),
            ["/Node"] = Top(),
            ["policy/PodDisruptionBudget"] = WithStatus(SchemaNode.Struct(("selector", labelSelector))),
            ["networking.k8s.io/NetworkPolicy"] = Top(("spec", SchemaNode.Struct(("podSelector", labelSelector)))),
            ["rbac.authorization.k8s.io/RoleBinding"] = Top(("roleRef", SchemaNode.AtomicNode)),
            ["rbac.authorization.k8s.io/ClusterRoleBinding"] = Top(("roleRef", SchemaNode.AtomicNode)),
            ["coordination.k8s.io/Lease"] = Top(),
            ["apiextensions.k8s.io/CustomResourceDefinition"] = Top(("status", SchemaNode.Struct(("conditions", conditions)))),
            ["autoscaling/HorizontalPodAutoscaler"] = WithStatus(SchemaNode.Untyped),
        };
        return d;
    }
}

/// <summary>Builds a <see cref="SchemaNode"/> from a CRD's structural OpenAPI v3 schema.</summary>
internal static class CrdSchemas
{
    public static SchemaNode FromOpenApi(JsonObject? schema, bool topLevel = true)
    {
        if (schema is null)
        {
            return SchemaNode.DeducedNode;
        }

        var type = (string?)schema["type"];
        var preserve = JsonValues.Bool(schema["x-kubernetes-preserve-unknown-fields"]);
        var intOrString = JsonValues.Bool(schema["x-kubernetes-int-or-string"]);
        var def = schema["default"]?.DeepClone();
        if (intOrString)
        {
            return new SchemaNode { Kind = SchemaKind.Scalar, Default = def };
        }

        switch (type)
        {
            case "object":
                var atomic = (string?)schema["x-kubernetes-map-type"] == "atomic";
                if (schema["properties"] is JsonObject props)
                {
                    var fields = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
                    foreach (var (name, value) in props)
                    {
                        fields[name] = FromOpenApi(value as JsonObject, false);
                    }

                    if (topLevel)
                    {
                        fields["metadata"] = BuiltinSchemas.ObjectMeta;
                    }

                    return new SchemaNode { Kind = SchemaKind.Struct, Fields = fields, Atomic = atomic, Default = def, PreserveUnknown = preserve };
                }

                if (schema["additionalProperties"] is JsonObject additional)
                {
                    return new SchemaNode { Kind = SchemaKind.Map, Element = FromOpenApi(additional, false), Atomic = atomic, Default = def };
                }

                if (topLevel)
                {
                    return new SchemaNode
                    {
                        Kind = SchemaKind.Struct,
                        Fields = new Dictionary<string, SchemaNode>(StringComparer.Ordinal) { ["metadata"] = BuiltinSchemas.ObjectMeta },
                        PreserveUnknown = true,
                    };
                }

                return new SchemaNode { Kind = SchemaKind.Deduced, Default = def, Atomic = atomic };
            case "array":
                var item = FromOpenApi(schema["items"] as JsonObject, false);
                var listType = (string?)schema["x-kubernetes-list-type"];
                if (listType == "map")
                {
                    var keys = (schema["x-kubernetes-list-map-keys"] as JsonArray)?.Select(k => (string)k!).ToArray() ?? [];
                    return new SchemaNode { Kind = SchemaKind.List, ListType = ListType.Map, Element = item, Keys = keys, Default = def };
                }

                return new SchemaNode
                {
                    Kind = SchemaKind.List,
                    ListType = listType == "set" ? ListType.Set : ListType.Atomic,
                    Element = item,
                    Default = def,
                };
            case null when preserve:
                return SchemaNode.DeducedNode;
            default:
                return new SchemaNode { Kind = SchemaKind.Scalar, Default = def };
        }
    }
}
