using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>
/// Reads <c>metadata.managedFields[*].fieldsV1</c> sets in place: <c>f:&lt;name&gt;</c> fields, <c>k:{…}</c> map-list items
/// by key, <c>v:&lt;json&gt;</c> set items by value, <c>i:&lt;n&gt;</c> positions, and <c>.</c> (the item itself).
/// Keys are matched against list items without allocating.
/// </summary>
internal static class FieldsV1
{
    /// <summary>The kind of a fieldsV1 path element.</summary>
    public enum ElementKind
    {
        /// <summary>The <c>.</c> marker: the node itself is owned.</summary>
        Self,

        /// <summary><c>f:name</c>.</summary>
        Field,

        /// <summary><c>k:{json}</c>.</summary>
        Key,

        /// <summary><c>v:json</c>.</summary>
        Value,

        /// <summary><c>i:n</c>.</summary>
        Index,

        /// <summary>Anything else (ignored).</summary>
        Unknown,
    }

    /// <summary>Classifies a raw (escaped) fieldsV1 property name and returns the part after the prefix.</summary>
    public static ElementKind Classify(ReadOnlySpan<byte> rawName, out ReadOnlySpan<byte> rest)
    {
        rest = default;
        if (rawName.Length == 1 && rawName[0] == (byte)'.')
        {
            return ElementKind.Self;
        }

        if (rawName.Length < 2 || rawName[1] != (byte)':')
        {
            return ElementKind.Unknown;
        }

        rest = rawName[2..];
        return rawName[0] switch
        {
            (byte)'f' => ElementKind.Field,
            (byte)'k' => ElementKind.Key,
            (byte)'v' => ElementKind.Value,
            (byte)'i' => ElementKind.Index,
            _ => ElementKind.Unknown,
        };
    }

    /// <summary>Parses the number of an <c>i:</c> element.</summary>
    public static bool TryParseIndex(ReadOnlySpan<byte> rest, out int index) =>
        Utf8Parser.TryParse(rest, out index, out var consumed) && consumed == rest.Length;

    /// <summary>
    /// Returns whether a <c>k:</c> element (its raw, JSON-string-escaped key object) identifies <paramref name="item"/>:
    /// every key field equals the item's field, or the field's server default when the item omits it.
    /// </summary>
    public static bool KeyMatches(ReadOnlySpan<byte> rawKey, JsonElement item, SchemaNode? list)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        byte[]? rented = null;
        var buffer = rawKey.Length <= 512 ? stackalloc byte[rawKey.Length] : (rented = ArrayPool<byte>.Shared.Rent(rawKey.Length));
        try
        {
            var length = UnescapeJsonString(rawKey, buffer);
            return length >= 0 && KeyObjectMatches(buffer[..length], item, list);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Returns the index of the item of <paramref name="list"/> that a <c>k:</c> element identifies, or -1; the key is decoded once.</summary>
    public static int FindKeyed(ReadOnlySpan<byte> rawKey, JsonElement list, SchemaNode? schema)
    {
        byte[]? rented = null;
        var buffer = rawKey.Length <= 512 ? stackalloc byte[rawKey.Length] : (rented = ArrayPool<byte>.Shared.Rent(rawKey.Length));
        try
        {
            var length = UnescapeJsonString(rawKey, buffer);
            if (length < 0)
            {
                return -1;
            }

            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && KeyObjectMatches(buffer[..length], item, schema))
                {
                    return i;
                }

                i++;
            }

            return -1;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Returns whether a <c>v:</c> element (raw, escaped JSON value) equals <paramref name="item"/>.</summary>
    public static bool ValueMatches(ReadOnlySpan<byte> rawValue, JsonElement item)
    {
        try
        {
            using var doc = JsonDocument.Parse(JsonValues.Unescape(rawValue));
            return JsonValues.DeepEquals(doc.RootElement, item);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool KeyObjectMatches(ReadOnlySpan<byte> json, JsonElement item, SchemaNode? list)
    {
        try
        {
            return KeyObjectMatchesCore(json, item, list);
        }
        catch (JsonException)
        {
            // A malformed key in managedFields identifies nothing.
            return false;
        }
    }

    private static bool KeyObjectMatchesCore(ReadOnlySpan<byte> json, JsonElement item, SchemaNode? list)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped)
            {
                return SlowKeyMatches(json, item);
            }

            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                return false;
            }

            var value = JsonValues.Get(item, name);
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                var defaultValue = DefaultOf(list, name);
                if (defaultValue is null || reader.TokenType != JsonTokenType.String || !reader.ValueSpan.SequenceEqual(defaultValue))
                {
                    return false;
                }

                continue;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    if (value.ValueKind != JsonValueKind.String || reader.ValueIsEscaped)
                    {
                        return reader.ValueIsEscaped && SlowKeyMatches(json, item);
                    }

                    if (!value.ValueEquals(reader.ValueSpan))
                    {
                        return false;
                    }

                    break;
                case JsonTokenType.Number:
                    if (value.ValueKind != JsonValueKind.Number)
                    {
                        return false;
                    }

                    if (!System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value).SequenceEqual(reader.ValueSpan)
                        && !(reader.TryGetDecimal(out var d) && value.TryGetDecimal(out var v) && d == v))
                    {
                        return false;
                    }

                    break;
                case JsonTokenType.True:
                case JsonTokenType.False:
                case JsonTokenType.Null:
                    if (value.ValueKind != (reader.TokenType switch
                    {
                        JsonTokenType.True => JsonValueKind.True,
                        JsonTokenType.False => JsonValueKind.False,
                        _ => JsonValueKind.Null,
                    }))
                    {
                        return false;
                    }

                    break;
                default:
                    return SlowKeyMatches(json, item);
            }
        }

        return false;
    }

    private static bool SlowKeyMatches(ReadOnlySpan<byte> json, JsonElement item)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (!item.TryGetProperty(p.Name, out var value) || !JsonValues.DeepEquals(p.Value, value))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[]? DefaultOf(SchemaNode? list, ReadOnlySpan<byte> name)
    {
        if (list is null)
        {
            return null;
        }

        foreach (var key in list.Keys)
        {
            if (name.SequenceEqual(key.Utf8Name))
            {
                return key.Utf8Default;
            }
        }

        return null;
    }

    /// <summary>Resolves the escapes of a JSON string's content into <paramref name="destination"/>; returns the length, or -1 when malformed.</summary>
    internal static int UnescapeJsonString(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var written = 0;
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (c != (byte)'\\')
            {
                destination[written++] = c;
                continue;
            }

            if (++i >= source.Length)
            {
                return -1;
            }

            switch (source[i])
            {
                case (byte)'"': destination[written++] = (byte)'"'; break;
                case (byte)'\\': destination[written++] = (byte)'\\'; break;
                case (byte)'/': destination[written++] = (byte)'/'; break;
                case (byte)'b': destination[written++] = (byte)'\b'; break;
                case (byte)'f': destination[written++] = (byte)'\f'; break;
                case (byte)'n': destination[written++] = (byte)'\n'; break;
                case (byte)'r': destination[written++] = (byte)'\r'; break;
                case (byte)'t': destination[written++] = (byte)'\t'; break;
                case (byte)'u':
                    if (i + 4 >= source.Length
                        || !int.TryParse(source.Slice(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                    {
                        return -1;
                    }

                    i += 4;
                    if (code < 0x80)
                    {
                        // The outer string's escapes stand for the inner JSON's own characters, quotes included.
                        destination[written++] = (byte)code;
                    }
                    else
                    {
                        // Non-ASCII only occurs inside inner strings, where the escape is still valid: the inner parser resolves
                        // it (surrogate pairs included).
                        destination[written++] = (byte)'\\';
                        destination[written++] = (byte)'u';
                        source.Slice(i - 3, 4).CopyTo(destination[written..]);
                        written += 4;
                    }

                    break;
                default:
                    return -1;
            }
        }

        return written;
    }
}
