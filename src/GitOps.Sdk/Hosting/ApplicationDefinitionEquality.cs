using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Value equality for <see cref="ApplicationDefinition"/>: every public property, collections by content (dictionaries
/// without regard to order), nested records the same way. Reflection keeps it complete when a property is added, which
/// matters because a missed property would leave a changed application running with its old settings. It runs only when
/// an application source publishes a new snapshot, never on the reconcile path.
/// </summary>
internal static class ApplicationDefinitionEquality
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    public static bool Equal(ApplicationDefinition a, ApplicationDefinition b) => Same(a, b);

    /// <summary>Hashes the name and source URL only: enough to spread definitions, and equal definitions agree on both.</summary>
    public static int Hash(ApplicationDefinition d) => HashCode.Combine(d.Name, d.Source?.Url);

    private static bool Same(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null)
        {
            return IsEmpty(a) && IsEmpty(b);
        }

        var type = a.GetType();
        if (type != b.GetType())
        {
            return false;
        }

        if (IsScalar(type))
        {
            return a.Equals(b);
        }

        if (IsDefaultImmutableArray(a) || IsDefaultImmutableArray(b))
        {
            return IsEmpty(a) && IsEmpty(b);
        }

        return (a, b) switch
        {
            (IDictionary x, IDictionary y) => SameMap(x, y),
            (IEnumerable x, IEnumerable y) => SameSequence(x, y),
            _ => SameProperties(type, a, b),
        };
    }

    private static bool SameMap(IDictionary x, IDictionary y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        foreach (DictionaryEntry entry in x)
        {
            if (!y.Contains(entry.Key) || !Same(entry.Value, y[entry.Key]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameSequence(IEnumerable x, IEnumerable y)
    {
        var left = x.GetEnumerator();
        var right = y.GetEnumerator();
        while (true)
        {
            var more = left.MoveNext();
            if (more != right.MoveNext())
            {
                return false;
            }

            if (!more)
            {
                return true;
            }

            if (!Same(left.Current, right.Current))
            {
                return false;
            }
        }
    }

    private static bool SameProperties(Type type, object a, object b)
    {
        foreach (var property in Properties.GetOrAdd(type, static t => [.. t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(static p => p.CanRead && p.GetIndexParameters().Length == 0)]))
        {
            if (!Same(property.GetValue(a), property.GetValue(b)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri) || type == typeof(Guid);

    /// <summary>A missing collection (null or a default <c>ImmutableArray</c>) equals an empty one; a missing scalar equals only another.</summary>
    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        _ when IsDefaultImmutableArray(value) => true,
        string => false,
        ICollection c => c.Count == 0,
        _ => false,
    };

    private static bool IsDefaultImmutableArray(object value)
    {
        var type = value.GetType();
        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(System.Collections.Immutable.ImmutableArray<>)
            && (bool)type.GetProperty(nameof(System.Collections.Immutable.ImmutableArray<int>.IsDefault))!.GetValue(value)!;
    }
}
