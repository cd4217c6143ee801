using System.Diagnostics.CodeAnalysis;

namespace GitOps.Sdk;

/// <summary>
/// The identity of a Kubernetes object: group, kind, namespace and name. The API version is not part
/// of the identity (an <c>apps/v1</c> and an <c>apps/v1beta1</c> Deployment with the same name are one object).
/// </summary>
/// <remarks>
/// The text form is <c>group/Kind/namespace/name</c>, with empty segments for the core group and for
/// cluster-scoped objects, e.g. <c>apps/Deployment/shop/web</c>, <c>/ConfigMap/shop/settings</c>,
/// <c>/Namespace//shop</c>. Comparison is ordinal; kind and group are compared case-sensitively, as the API server does.
/// </remarks>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Kind">The kind, e.g. <c>Deployment</c>.</param>
/// <param name="Namespace">The namespace; empty for cluster-scoped objects or objects whose namespace is not yet defaulted.</param>
/// <param name="Name">The object name.</param>
public readonly record struct ResourceKey(string Group, string Kind, string Namespace, string Name) : IComparable<ResourceKey>
{
    /// <summary>Gets the group and kind of this key.</summary>
    public GroupKind GroupKind => new(Group, Kind);

    /// <summary>Returns a copy of this key with another namespace.</summary>
    /// <param name="namespace">The new namespace (empty for cluster scope).</param>
    /// <returns>The key in <paramref name="namespace"/>.</returns>
    public ResourceKey WithNamespace(string @namespace) => this with { Namespace = @namespace ?? string.Empty };

    /// <inheritdoc />
    public int CompareTo(ResourceKey other)
    {
        var c = string.CompareOrdinal(Group, other.Group);
        if (c != 0)
        {
            return c;
        }

        c = string.CompareOrdinal(Kind, other.Kind);
        if (c != 0)
        {
            return c;
        }

        c = string.CompareOrdinal(Namespace, other.Namespace);
        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }

    /// <summary>Returns the text form <c>group/Kind/namespace/name</c>.</summary>
    /// <returns>The text form of the key.</returns>
    public override string ToString() => string.Concat(Group, "/", Kind, "/", Namespace, "/", Name);

    /// <summary>Parses the text form produced by <see cref="ToString"/>.</summary>
    /// <param name="text">The text form.</param>
    /// <param name="key">The key when the text is well formed.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is a key.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out ResourceKey key)
    {
        key = default;
        if (text is null)
        {
            return false;
        }

        var parts = text.Split('/');
        if (parts.Length != 4 || parts[1].Length == 0 || parts[3].Length == 0)
        {
            return false;
        }

        key = new ResourceKey(parts[0], parts[1], parts[2], parts[3]);
        return true;
    }

    /// <summary>Parses the text form produced by <see cref="ToString"/>.</summary>
    /// <param name="text">The text form.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> is not a key.</exception>
    public static ResourceKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException($"'{text}' is not a resource key of the form group/Kind/namespace/name.");

    /// <inheritdoc />
    public static bool operator <(ResourceKey left, ResourceKey right) => left.CompareTo(right) < 0;

    /// <inheritdoc />
    public static bool operator <=(ResourceKey left, ResourceKey right) => left.CompareTo(right) <= 0;

    /// <inheritdoc />
    public static bool operator >(ResourceKey left, ResourceKey right) => left.CompareTo(right) > 0;

    /// <inheritdoc />
    public static bool operator >=(ResourceKey left, ResourceKey right) => left.CompareTo(right) >= 0;
}

/// <summary>A group and kind, e.g. <c>apps</c>/<c>Deployment</c>; the core group is empty.</summary>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Kind">The kind.</param>
public readonly record struct GroupKind(string Group, string Kind)
{
    /// <summary>Returns <c>Kind.group</c>, or <c>Kind</c> for the core group, as kubectl prints it.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => Group.Length == 0 ? Kind : string.Concat(Kind, ".", Group);

    /// <summary>Splits an <c>apiVersion</c> (<c>apps/v1</c>, <c>v1</c>) into group and version.</summary>
    /// <param name="apiVersion">The apiVersion field.</param>
    /// <returns>The group (empty for core) and the version.</returns>
    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (string.Empty, apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }
}
