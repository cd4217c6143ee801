using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk.Configuration;

/// <summary>What a configuration key holds: one value, a list of entries, a map of named entries, or an object of keys.</summary>
internal enum KeyKind
{
    Scalar,
    List,
    Map,
    Object,
}

/// <summary>
/// One key of an options type as configuration sees it: its name (<c>[ConfigurationKeyName]</c> or the property name),
/// the property, what it holds and the type of its value (for lists and maps: of each entry).
/// </summary>
internal sealed record KeyShape(string Key, PropertyInfo Property, KeyKind Kind, Type ValueType)
{
    /// <summary>Gets a value indicating whether the value (of a list or map: each entry) is an object of keys rather than one value.</summary>
    public bool ValueIsObject => !ConfigurationShape.IsScalar(ValueType);
}

/// <summary>
/// The configuration keys of an options type, read from its public properties: settable scalars (string, bool, whole
/// numbers, numbers, durations, enums), lists and string-keyed maps of them or of objects, and nested objects.
/// Properties of other types (clients, callbacks, interfaces) are not configuration. One reflection model serves binding,
/// unknown-key detection and the generated key table and JSON schema (docs/configuration.md).
/// </summary>
internal static class ConfigurationShape
{
    public static IReadOnlyList<KeyShape> Keys(Type type)
    {
        var keys = new List<KeyShape>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true })
            {
                continue;
            }

            var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            var settable = property.SetMethod is { IsPublic: true };
            var t = property.PropertyType;
            if (IsScalar(t))
            {
                if (settable)
                {
                    keys.Add(new KeyShape(name, property, KeyKind.Scalar, t));
                }
            }
            else if (ListElement(t) is { } element)
            {
                if (IsBindableValue(element))
                {
                    keys.Add(new KeyShape(name, property, KeyKind.List, element));
                }
            }
            else if (MapValue(t) is { } value)
            {
                if (IsBindableValue(value))
                {
                    keys.Add(new KeyShape(name, property, KeyKind.Map, value));
                }
            }
            else if (IsObject(t))
            {
                keys.Add(new KeyShape(name, property, KeyKind.Object, t));
            }
        }

        return keys;
    }

    public static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t == typeof(bool) || t == typeof(int) || t == typeof(long) || t == typeof(double)
            || t == typeof(TimeSpan) || t.IsEnum;
    }

    private static bool IsBindableValue(Type t) => IsScalar(t) || IsObject(t);

    private static bool IsObject(Type t) =>
        t.IsClass && !t.IsAbstract && t != typeof(string) && !typeof(Delegate).IsAssignableFrom(t)
        && t.GetConstructor(Type.EmptyTypes) is not null && ListElement(t) is null && MapValue(t) is null
        && Keys(t).Count > 0;

    private static Type? ListElement(Type t)
    {
        if (t.IsGenericType)
        {
            var d = t.GetGenericTypeDefinition();
            if (d == typeof(IList<>) || d == typeof(ICollection<>) || d == typeof(List<>) || d == typeof(ImmutableArray<>) || d == typeof(IReadOnlyList<>))
            {
                return t.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static Type? MapValue(Type t)
    {
        if (t.IsGenericType)
        {
            var d = t.GetGenericTypeDefinition();
            var args = t.GetGenericArguments();
            if ((d == typeof(IDictionary<,>) || d == typeof(Dictionary<,>) || d == typeof(ImmutableDictionary<,>) || d == typeof(IReadOnlyDictionary<,>))
                && args[0] == typeof(string))
            {
                return args[1];
            }
        }

        return null;
    }

    /// <summary>Parses a configuration value as <paramref name="type"/>; on failure <paramref name="problem"/> says what was expected.</summary>
    public static bool TryParse(Type type, string text, out object? value, out string? problem)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        value = null;
        problem = null;
        if (t == typeof(string))
        {
            value = text;
            return true;
        }

        if (t == typeof(bool))
        {
            if (bool.TryParse(text, out var b))
            {
                value = b;
                return true;
            }

            problem = "is not true or false";
            return false;
        }

        if (t == typeof(int) || t == typeof(long))
        {
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && (t == typeof(long) || l is >= int.MinValue and <= int.MaxValue))
            {
                value = t == typeof(int) ? (object)(int)l : l;
                return true;
            }

            problem = "is not a whole number";
            return false;
        }

        if (t == typeof(double))
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                value = d;
                return true;
            }

            problem = "is not a number";
            return false;
        }

        if (t == typeof(TimeSpan))
        {
            if (TryParseDuration(text, out var span))
            {
                value = span;
                return true;
            }

            problem = "is not a duration (examples: 00:05:00, 5m, 30s, 1h)";
            return false;
        }

        if (t.IsEnum)
        {
            if (!text.AsSpan().Trim().IsEmpty && !char.IsAsciiDigit(text.Trim()[0]) && Enum.TryParse(t, text, ignoreCase: true, out var e) && Enum.IsDefined(t, e!))
            {
                value = e;
                return true;
            }

            problem = $"is not one of {string.Join(", ", Enum.GetNames(t))}";
            return false;
        }

        problem = "cannot be set from configuration";
        return false;
    }

    /// <summary>Parses <c>hh:mm:ss</c> or a Go-style duration such as <c>1h30m</c>, <c>5m</c>, <c>30s</c>, <c>500ms</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        value = TimeSpan.Zero;
        var span = text.AsSpan().Trim();
        if (span.IsEmpty)
        {
            return false;
        }

        while (!span.IsEmpty)
        {
            var i = 0;
            while (i < span.Length && (char.IsAsciiDigit(span[i]) || span[i] == '.'))
            {
                i++;
            }

            if (i == 0 || !double.TryParse(span[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[i..];
            var j = 0;
            while (j < span.Length && char.IsAsciiLetter(span[j]))
            {
                j++;
            }

            var unit = span[..j].ToString();
            span = span[j..];
            TimeSpan? add = unit switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                "d" => TimeSpan.FromDays(number),
                _ => null,
            };
            if (add is null)
            {
                return false;
            }

            value += add.Value;
        }

        return true;
    }

    /// <summary>
    /// Sets the keys <paramref name="section"/> holds on <paramref name="target"/>: scalars replace the value, list entries
    /// are added (once), map entries set (objects bound into the existing entry or a new one), nested objects bound into a
    /// copy of the current value. Values that do not parse go to <paramref name="errors"/>, naming the configuration path;
    /// the setting keeps its value. Unknown keys are not this method's business (see the engine's start-up check).
    /// </summary>
    public static void Bind(IConfigurationSection section, object target, ICollection<string> errors)
    {
        foreach (var key in Keys(target.GetType()))
        {
            var child = section.GetSection(key.Key);
            if (!child.Exists())
            {
                continue;
            }

            switch (key.Kind)
            {
                case KeyKind.Scalar when child.Value is { } text:
                    if (TryParse(key.ValueType, text, out var parsed, out var problem))
                    {
                        key.Property.SetValue(target, parsed);
                    }
                    else
                    {
                        errors.Add($"{child.Path}: '{text}' {problem}.");
                    }

                    break;
                case KeyKind.List when key.Property.GetValue(target) is IList list && !list.IsReadOnly && !key.ValueIsObject:
                    foreach (var entry in child.GetChildren())
                    {
                        if (entry.Value is not { } item)
                        {
                            continue;
                        }

                        if (!TryParse(key.ValueType, item, out var v, out var p))
                        {
                            errors.Add($"{entry.Path}: '{item}' {p}.");
                        }
                        else if (!list.Contains(v))
                        {
                            list.Add(v);
                        }
                    }

                    break;
                case KeyKind.Map when key.Property.GetValue(target) is IDictionary map && !map.IsReadOnly:
                    foreach (var entry in child.GetChildren())
                    {
                        if (!key.ValueIsObject)
                        {
                            if (entry.Value is { } item)
                            {
                                if (TryParse(key.ValueType, item, out var v, out var p))
                                {
                                    map[entry.Key] = v;
                                }
                                else
                                {
                                    errors.Add($"{entry.Path}: '{item}' {p}.");
                                }
                            }

                            continue;
                        }

                        var value = map.Contains(entry.Key) && map[entry.Key] is { } existing ? Copy(existing) : Activator.CreateInstance(key.ValueType)!;
                        Bind(entry, value, errors);
                        map[entry.Key] = value;
                    }

                    break;
                case KeyKind.Object:
                    var current = key.Property.GetValue(target);
                    if (key.Property.SetMethod is { IsPublic: true })
                    {
                        var copy = current is null ? Activator.CreateInstance(key.ValueType)! : Copy(current);
                        Bind(child, copy, errors);
                        key.Property.SetValue(target, copy);
                    }
                    else if (current is not null)
                    {
                        Bind(child, current, errors);
                    }

                    break;
            }
        }
    }

    /// <summary>A shallow copy, so that binding never changes a shared default instance (such as <c>ArchiveLimits.Default</c>).</summary>
    private static object Copy(object value) =>
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!.Invoke(value, null)!;
}
