using System.Reflection;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk.Configuration;

/// <summary>One key of the <c>GitOps</c> section: what it holds, its entries or keys, and the property it comes from.</summary>
internal sealed class KeyNode
{
    public KeyNode(KeyKind kind, Type? valueType = null, PropertyInfo? property = null)
    {
        Kind = kind;
        ValueType = valueType;
        Property = property;
    }

    public KeyKind Kind { get; }

    /// <summary>Gets the type of a scalar, or of the object a node of keys is read from.</summary>
    public Type? ValueType { get; set; }

    /// <summary>Gets the property the key sets (its documentation describes the key), if any.</summary>
    public PropertyInfo? Property { get; set; }

    /// <summary>Gets the keys of an object, by name (not case sensitive, as configuration keys are not).</summary>
    public Dictionary<string, KeyNode> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the node of each entry of a list or map.</summary>
    public KeyNode? Entry { get; set; }

    /// <summary>Gets or sets a value indicating whether an object also takes a single value (an application's <c>Source</c> as a URL).</summary>
    public bool AlsoScalar { get; set; }

    /// <summary>Gets or sets a value indicating whether keys below an object are not checked (a renderer binder that declares no keys).</summary>
    public bool Open { get; set; }

    /// <summary>Gets or sets what the key is for, when no property documents it (renderer keys).</summary>
    public string? Note { get; set; }
}

/// <summary>
/// The keys of the <c>GitOps</c> configuration section, read from the options types: <see cref="GitOpsOptions"/>, each
/// application (<see cref="ApplicationDefinition"/>, its <see cref="SourceReference"/> and the shorthand keys beside it,
/// and the keys of every registered <see cref="IRendererOptionsBinder"/>), and every package's
/// <see cref="GitOpsConfigurationPart"/> (<c>Target</c>, <c>Sources:Git</c>, …). Used to report unknown keys at start-up
/// and to generate docs/configuration.md and gitops.schema.json.
/// </summary>
internal static class GitOpsConfigurationKeys
{
    /// <summary>Application keys that name a setting of the application's <see cref="SourceReference"/> (the binder reads both).</summary>
    internal static readonly (string Key, string SourceProperty)[] SourceShorthands =
    [
        ("Url", nameof(SourceReference.Url)),
        ("Ref", nameof(SourceReference.Ref)),
        ("SourceType", nameof(SourceReference.Type)),
        ("Chart", nameof(SourceReference.Chart)),
        ("CredentialsName", nameof(SourceReference.CredentialsName)),
    ];

    /// <summary>Properties of the types above that configuration does not set.</summary>
    private static readonly HashSet<string> NotConfiguration =
    [
        $"{nameof(SourceReference)}.{nameof(SourceReference.RefKind)}",
        $"{nameof(SourceReference)}.{nameof(SourceReference.Properties)}",
        $"{nameof(ApplicationDefinition)}.{nameof(ApplicationDefinition.Owner)}",
    ];

    public static KeyNode Build(IEnumerable<GitOpsConfigurationPart> parts, IEnumerable<IRendererOptionsBinder> binders)
    {
        var root = FromType(typeof(GitOpsOptions));
        root.Children["Applications"] = new KeyNode(KeyKind.Map, property: typeof(GitOpsOptions).GetProperty(nameof(GitOpsOptions.Applications))) { Entry = Application(binders) };
        foreach (var part in parts)
        {
            var node = root;
            var segments = part.Key.Split(':', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < segments.Length - 1; i++)
            {
                if (!node.Children.TryGetValue(segments[i], out var next))
                {
                    next = new KeyNode(KeyKind.Object);
                    node.Children[segments[i]] = next;
                }

                node = next;
            }

            var bound = FromType(part.OptionsType);
            if (node.Children.TryGetValue(segments[^1], out var existing))
            {
                foreach (var (key, child) in bound.Children)
                {
                    existing.Children.TryAdd(key, child);
                }
            }
            else
            {
                node.Children[segments[^1]] = bound;
            }
        }

        return root;
    }

    private static KeyNode Application(IEnumerable<IRendererOptionsBinder> binders)
    {
        var app = FromType(typeof(ApplicationDefinition));
        app.Children["Source"].AlsoScalar = true;
        foreach (var (key, property) in SourceShorthands)
        {
            app.Children.TryAdd(key, app.Children["Source"].Children[property] is var target
                ? new KeyNode(target.Kind, target.ValueType, target.Property) { Note = $"Shorthand for Source:{property}." }
                : throw new InvalidOperationException(property));
        }

        foreach (var binder in binders)
        {
            if (binder.ConfigurationKeys.Count == 0)
            {
                app.Open = true;
                continue;
            }

            foreach (var path in binder.ConfigurationKeys)
            {
                var node = app;
                var segments = path.Split(':');
                for (var i = 0; i < segments.Length && segments[i] != "*"; i++)
                {
                    var entries = i + 1 < segments.Length && segments[i + 1] == "*";
                    if (!node.Children.TryGetValue(segments[i], out var child))
                    {
                        child = entries ? new KeyNode(KeyKind.List) { Entry = new KeyNode(KeyKind.Scalar, typeof(string)) }
                            : i == segments.Length - 1 ? new KeyNode(KeyKind.Scalar)
                            : new KeyNode(KeyKind.Object);
                        child.Note = $"Read by the {binder.Renderer} renderer.";
                        node.Children[segments[i]] = child;
                    }

                    node = child;
                }
            }
        }

        return app;
    }

    public static KeyNode FromType(Type type)
    {
        var node = new KeyNode(KeyKind.Object, type);
        foreach (var key in ConfigurationShape.Keys(type))
        {
            if (NotConfiguration.Contains($"{type.Name}.{key.Property.Name}"))
            {
                continue;
            }

            node.Children[key.Key] = FromShape(key);
        }

        return node;
    }

    private static KeyNode FromShape(KeyShape key) => key.Kind switch
    {
        KeyKind.Scalar => new KeyNode(KeyKind.Scalar, key.ValueType, key.Property),
        KeyKind.Object => Documented(FromType(key.ValueType), key.Property),
        _ => new KeyNode(key.Kind, key.ValueType, key.Property)
        {
            Entry = key.ValueIsObject ? FromType(key.ValueType) : new KeyNode(KeyKind.Scalar, key.ValueType),
        },
    };

    private static KeyNode Documented(KeyNode node, PropertyInfo property)
    {
        var copy = new KeyNode(node.Kind, node.ValueType, property) { Entry = node.Entry, AlsoScalar = node.AlsoScalar };
        foreach (var (k, v) in node.Children)
        {
            copy.Children[k] = v;
        }

        return copy;
    }

    /// <summary>Returns a message for every key of <paramref name="section"/> the tree does not know, naming its path.</summary>
    public static List<string> FindUnknown(IConfiguration section, KeyNode root)
    {
        var errors = new List<string>();
        Walk(section, root, errors);
        return errors;
    }

    private static void Walk(IConfiguration section, KeyNode node, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            switch (node.Kind)
            {
                case KeyKind.Object when node.Open:
                    break;
                case KeyKind.Object:
                    if (node.Children.TryGetValue(child.Key, out var known))
                    {
                        Check(child, known, errors);
                    }
                    else
                    {
                        errors.Add($"{child.Path} is not a known key{Suggest(child.Key, node.Children.Keys)}.");
                    }

                    break;
                case KeyKind.List when !int.TryParse(child.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _):
                    errors.Add($"{child.Path} is not a known key ({Parent(child.Path)} is a list: its entries are {Parent(child.Path)}:0, {Parent(child.Path)}:1, …).");
                    break;
                case KeyKind.List or KeyKind.Map:
                    Check(child, node.Entry!, errors);
                    break;
                default:
                    errors.Add($"{child.Path} is not a known key ({Parent(child.Path)} takes a single value).");
                    break;
            }
        }
    }

    private static void Check(IConfigurationSection section, KeyNode node, List<string> errors)
    {
        if (node.Kind != KeyKind.Scalar && !node.AlsoScalar && !string.IsNullOrEmpty(section.Value))
        {
            errors.Add(node.Kind == KeyKind.Object
                ? $"{section.Path} takes keys ({string.Join(", ", node.Children.Keys.Take(4))}, …), not a single value."
                : $"{section.Path} takes a {(node.Kind == KeyKind.List ? "list" : "map")} of entries ({section.Path}:{(node.Kind == KeyKind.List ? "0" : "<name>")}), not a single value.");
        }

        Walk(section, node, errors);
    }

    private static string Parent(string path) => path[..path.LastIndexOf(':')];

    private static string Suggest(string key, IEnumerable<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: Distance(key.ToUpperInvariant(), k.ToUpperInvariant())))
            .Where(c => c.Distance <= Math.Max(1, Math.Min(3, c.Key.Length / 3)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Key is null ? string.Empty : $" (did you mean {best.Key}?)";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
