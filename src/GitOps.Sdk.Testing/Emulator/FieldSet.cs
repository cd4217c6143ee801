using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// A set of field paths in the structured-merge-diff sense, stored as a trie keyed by path elements
/// (<c>f:name</c>, <c>k:{...}</c>, <c>v:value</c>); a node is a member when the path itself is in the set.
/// Serializes to and from the FieldsV1 format of <c>managedFields</c>.
/// </summary>
internal sealed class FieldSet
{
    private SortedDictionary<string, FieldSet>? _children;

    public bool Member { get; set; }

    public IReadOnlyDictionary<string, FieldSet> Children =>
        (IReadOnlyDictionary<string, FieldSet>?)_children ?? EmptyChildren;

    private static readonly SortedDictionary<string, FieldSet> EmptyChildren = new(StringComparer.Ordinal);

    public bool IsEmpty => !Member && (_children is null || _children.Values.All(c => c.IsEmpty));

    public FieldSet Child(string element)
    {
        _children ??= new SortedDictionary<string, FieldSet>(StringComparer.Ordinal);
        if (!_children.TryGetValue(element, out var child))
        {
            child = new FieldSet();
            _children[element] = child;
        }

        return child;
    }

    public FieldSet? TryChild(string element) =>
        _children is not null && _children.TryGetValue(element, out var c) ? c : null;

    public void RemoveChild(string element) => _children?.Remove(element);

    public void Insert(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var e in path)
        {
            node = node.Child(e);
        }

        node.Member = true;
    }

    public bool Contains(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var e in path)
        {
            node = node.TryChild(e);
            if (node is null)
            {
                return false;
            }
        }

        return node.Member;
    }

    /// <summary>True when the path or anything below it is in the set.</summary>
    public bool ContainsPrefix(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var e in path)
        {
            node = node.TryChild(e);
            if (node is null)
            {
                return false;
            }
        }

        return !node.IsEmpty;
    }

    public FieldSet Clone()
    {
        var copy = new FieldSet { Member = Member };
        if (_children is not null)
        {
            foreach (var (k, v) in _children)
            {
                copy.Child(k).CopyFrom(v);
            }
        }

        return copy;
    }

    private void CopyFrom(FieldSet other)
    {
        Member = other.Member;
        if (other._children is not null)
        {
            foreach (var (k, v) in other._children)
            {
                Child(k).CopyFrom(v);
            }
        }
    }

    public FieldSet Union(FieldSet other)
    {
        var result = Clone();
        result.UnionInPlace(other);
        return result;
    }

    public void UnionInPlace(FieldSet other)
    {
        Member |= other.Member;
        if (other._children is not null)
        {
            foreach (var (k, v) in other._children)
            {
                Child(k).UnionInPlace(v);
            }
        }
    }

    public FieldSet Intersect(FieldSet other)
    {
        var result = new FieldSet { Member = Member && other.Member };
        if (_children is not null && other._children is not null)
        {
            foreach (var (k, v) in _children)
            {
                if (other._children.TryGetValue(k, out var o))
                {
                    var i = v.Intersect(o);
                    if (!i.IsEmpty)
                    {
                        result.Child(k).CopyFrom(i);
                    }
                }
            }
        }

        return result;
    }

    public FieldSet Difference(FieldSet other)
    {
        var result = new FieldSet { Member = Member && !other.Member };
        if (_children is not null)
        {
            foreach (var (k, v) in _children)
            {
                var d = other._children is not null && other._children.TryGetValue(k, out var o) ? v.Difference(o) : v.Clone();
                if (!d.IsEmpty)
                {
                    result.Child(k).CopyFrom(d);
                }
            }
        }

        return result;
    }

    /// <summary>Enumerates the member paths, depth first in sorted order.</summary>
    public IEnumerable<List<string>> Paths()
    {
        var stack = new List<string>();
        return Walk(this, stack);

        static IEnumerable<List<string>> Walk(FieldSet node, List<string> prefix)
        {
            if (node.Member)
            {
                yield return [.. prefix];
            }

            if (node._children is null)
            {
                yield break;
            }

            foreach (var (k, v) in node._children)
            {
                prefix.Add(k);
                foreach (var p in Walk(v, prefix))
                {
                    yield return p;
                }

                prefix.RemoveAt(prefix.Count - 1);
            }
        }
    }

    public JsonObject ToFieldsV1()
    {
        var obj = new JsonObject();
        if (Member && _children is not null && _children.Values.Any(c => !c.IsEmpty))
        {
            obj["."] = new JsonObject();
        }

        if (_children is not null)
        {
            foreach (var (k, v) in _children)
            {
                if (!v.IsEmpty)
                {
                    obj[k] = v.ToFieldsV1();
                }
            }
        }

        return obj;
    }

    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var set = new FieldSet();
        if (fields is not null)
        {
            Fill(set, fields);
        }

        return set;

        static void Fill(FieldSet node, JsonObject obj)
        {
            foreach (var (k, v) in obj)
            {
                if (k == ".")
                {
                    node.Member = true;
                    continue;
                }

                var child = node.Child(k);
                if (v is JsonObject o && o.Count > 0)
                {
                    Fill(child, o);
                }
                else
                {
                    child.Member = true;
                }
            }
        }
    }

    public static string Field(string name) => "f:" + name;

    public static string Value(JsonNode? value) => "v:" + (value?.ToJsonString() ?? "null");

    /// <summary>Builds the <c>k:{...}</c> element of an associative list item (key fields sorted by name).</summary>
    public static string Key(JsonObject item, SchemaNode list)
    {
        var sb = new StringBuilder("k:{");
        var first = true;
        foreach (var key in list.Keys.Order(StringComparer.Ordinal))
        {
            var value = item[key];
            if (value is null && list.KeyDefaults is not null && list.KeyDefaults.TryGetValue(key, out var d))
            {
                value = d;
            }

            if (value is null)
            {
                continue;
            }

            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            sb.Append(JsonSerializer.Serialize(key)).Append(':').Append(value.ToJsonString());
        }

        return sb.Append('}').ToString();
    }

    /// <summary>Describes a path like the API server does in conflict messages: <c>.spec.ports[port=80,protocol="TCP"]</c>.</summary>
    public static string Describe(IReadOnlyList<string> path)
    {
        var sb = new StringBuilder();
        foreach (var e in path)
        {
            if (e.StartsWith("f:", StringComparison.Ordinal))
            {
                sb.Append('.').Append(e.AsSpan(2));
            }
            else if (e.StartsWith("k:", StringComparison.Ordinal))
            {
                var obj = JsonNode.Parse(e[2..])!.AsObject();
                sb.Append('[').Append(string.Join(",", obj.Select(kv => kv.Key + "=" + kv.Value!.ToJsonString()))).Append(']');
            }
            else if (e.StartsWith("v:", StringComparison.Ordinal))
            {
                sb.Append("[=").Append(e.AsSpan(2)).Append(']');
            }
            else
            {
                sb.Append('[').Append(e.AsSpan(2)).Append(']');
            }
        }

        return sb.ToString();
    }
}
