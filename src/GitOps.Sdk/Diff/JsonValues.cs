using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>Allocation-free helpers over <see cref="JsonElement"/>: raw names and values, value equality, JSON pointer escaping.</summary>
internal static class JsonValues
{
    /// <summary>Returns whether an element is present and not JSON <c>null</c>.</summary>
    public static bool Exists(JsonElement e) => e.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    /// <summary>Returns the raw (still escaped) UTF-8 name of a property.</summary>
    public static ReadOnlySpan<byte> RawName(JsonProperty p) => JsonMarshal.GetRawUtf8PropertyName(p);

    /// <summary>Returns the raw UTF-8 bytes of a string element without its quotes (still escaped).</summary>
    public static ReadOnlySpan<byte> RawString(JsonElement e)
    {
        var raw = JsonMarshal.GetRawUtf8Value(e);
        return raw.Length >= 2 && raw[0] == (byte)'"' ? raw[1..^1] : raw;
    }

    /// <summary>Gets a property by its raw name; takes the slow path only when the name contains escapes.</summary>
    public static JsonElement Get(JsonElement obj, ReadOnlySpan<byte> rawName)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        if (rawName.IndexOf((byte)'\\') >= 0)
        {
            return obj.TryGetProperty(Unescape(rawName), out var slow) ? slow : default;
        }

        return obj.TryGetProperty(rawName, out var value) ? value : default;
    }

    /// <summary>Gets a property by name.</summary>
    public static JsonElement Get(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) ? value : default;

    /// <summary>Returns whether a desired value is "empty": what the server drops (<c>""</c>, <c>[]</c>, <c>{}</c> of empties, <c>null</c>, <c>false</c>, <c>0</c>).</summary>
    public static bool IsEmpty(JsonElement e, bool objectPresenceMatters = false)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
            case JsonValueKind.False:
                return true;
            case JsonValueKind.String:
                return RawString(e).IsEmpty;
            case JsonValueKind.Number:
                return e.TryGetDecimal(out var d) && d == 0;
            case JsonValueKind.Array:
                return e.GetArrayLength() == 0;
            case JsonValueKind.Object:
                if (objectPresenceMatters)
                {
                    return false;
                }

                foreach (var p in e.EnumerateObject())
                {
                    if (!IsEmpty(p.Value))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Compares two strings by value (escapes resolved).</summary>
    public static bool StringEquals(JsonElement a, JsonElement b)
    {
        var ra = RawString(a);
        var rb = RawString(b);
        if (ra.SequenceEqual(rb))
        {
            return true;
        }

        if (ra.IndexOf((byte)'\\') < 0 && rb.IndexOf((byte)'\\') < 0)
        {
            return false;
        }

        return string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
    }

    /// <summary>Compares two numbers by value (<c>1</c> = <c>1.0</c> = <c>1e0</c>).</summary>
    public static bool NumberEquals(JsonElement a, JsonElement b)
    {
        if (JsonMarshal.GetRawUtf8Value(a).SequenceEqual(JsonMarshal.GetRawUtf8Value(b)))
        {
            return true;
        }

        if (a.TryGetDecimal(out var da) && b.TryGetDecimal(out var db))
        {
            return da == db;
        }

        return a.GetDouble().Equals(b.GetDouble());
    }

    /// <summary>Returns whether a string holds exactly the decimal digits of a number (int-or-string: <c>"8080"</c> = <c>8080</c>).</summary>
    public static bool IntOrStringEquals(JsonElement str, JsonElement number)
    {
        var s = RawString(str);
        if (s.IsEmpty || s.Length > 20 || !number.TryGetInt64(out var n))
        {
            return false;
        }

        return Utf8Parser.TryParse(s, out long parsed, out var consumed) && consumed == s.Length && parsed == n
            && (s[0] != (byte)'0' || s.Length == 1);
    }

    /// <summary>Compares two scalars: strings, numbers by value, booleans, null, and int-or-string.</summary>
    public static bool ScalarEquals(JsonElement d, JsonElement l)
    {
        var dk = d.ValueKind;
        var lk = l.ValueKind;
        if (dk == lk)
        {
            return dk switch
            {
                JsonValueKind.String => StringEquals(d, l),
                JsonValueKind.Number => NumberEquals(d, l),
                _ => true,
            };
        }

        return (dk, lk) switch
        {
            (JsonValueKind.String, JsonValueKind.Number) => IntOrStringEquals(d, l),
            (JsonValueKind.Number, JsonValueKind.String) => IntOrStringEquals(l, d),
            _ => false,
        };
    }

    /// <summary>Compares two quantities by amount; falls back to <see cref="ScalarEquals"/> when either is not a quantity.</summary>
    public static bool QuantityEquals(JsonElement d, JsonElement l)
    {
        if (ScalarEquals(d, l))
        {
            return true;
        }

        if (d.ValueKind is not (JsonValueKind.String or JsonValueKind.Number) || l.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            return false;
        }

        var rd = d.ValueKind == JsonValueKind.String ? RawString(d) : JsonMarshal.GetRawUtf8Value(d);
        var rl = l.ValueKind == JsonValueKind.String ? RawString(l) : JsonMarshal.GetRawUtf8Value(l);
        return Quantity.TryParse(rd, out var qd) && Quantity.TryParse(rl, out var ql) && Quantity.SemanticEquals(qd, ql);
    }

    /// <summary>Deep semantic equality of two values (objects by keys, arrays by position, scalars by <see cref="ScalarEquals"/>).</summary>
    public static bool DeepEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return a.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array) && ScalarEquals(a, b);
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var p in a.EnumerateObject())
                {
                    count++;
                    var other = Get(b, RawName(p));
                    if (other.ValueKind == JsonValueKind.Undefined || !DeepEquals(p.Value, other))
                    {
                        return false;
                    }
                }

                foreach (var unused in b.EnumerateObject())
                {
                    count--;
                }

                return count == 0;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }

                using (var ea = a.EnumerateArray())
                using (var eb = b.EnumerateArray())
                {
                    while (ea.MoveNext() && eb.MoveNext())
                    {
                        if (!DeepEquals(ea.Current, eb.Current))
                        {
                            return false;
                        }
                    }
                }

                return true;
            default:
                return ScalarEquals(a, b);
        }
    }

    /// <summary>
    /// Returns whether a live base64 <c>data</c> value decodes to the UTF-8 bytes of a desired <c>stringData</c> value.
    /// </summary>
    public static bool Base64MatchesString(JsonElement liveBase64, JsonElement desiredString)
    {
        if (liveBase64.ValueKind != JsonValueKind.String || desiredString.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var raw64 = RawString(liveBase64);
        var rawText = RawString(desiredString);
        if (raw64.IndexOf((byte)'\\') >= 0 || rawText.IndexOf((byte)'\\') >= 0 || raw64.Length > 4096)
        {
            var bytes = liveBase64.TryGetBytesFromBase64(out var decoded) ? decoded : null;
            return bytes is not null && bytes.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(desiredString.GetString()!));
        }

        Span<byte> buffer = stackalloc byte[Base64.GetMaxDecodedFromUtf8Length(raw64.Length)];
        return Base64.DecodeFromUtf8(raw64, buffer, out _, out var written) == System.Buffers.OperationStatus.Done
            && buffer[..written].SequenceEqual(rawText);
    }

    /// <summary>Compares two base64 strings by their decoded bytes.</summary>
    public static bool Base64Equals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != JsonValueKind.String || b.ValueKind != JsonValueKind.String)
        {
            return ScalarEquals(a, b);
        }

        if (StringEquals(a, b))
        {
            return true;
        }

        return a.TryGetBytesFromBase64(out var da) && b.TryGetBytesFromBase64(out var db) && da.AsSpan().SequenceEqual(db);
    }

    /// <summary>Resolves JSON string escapes in a raw UTF-8 span (slow path; allocates).</summary>
    public static string Unescape(ReadOnlySpan<byte> raw)
    {
        var quoted = new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString()!;
    }

    /// <summary>Returns a property's name, unescaped.</summary>
    public static string Name(JsonProperty p) => p.Name;

    /// <summary>Escapes one JSON pointer segment (<c>~</c> → <c>~0</c>, <c>/</c> → <c>~1</c>).</summary>
    public static string EscapePointerSegment(string segment) =>
        segment.Contains('~', StringComparison.Ordinal) || segment.Contains('/', StringComparison.Ordinal)
            ? segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)
            : segment;

    /// <summary>Unescapes one JSON pointer segment.</summary>
    public static string UnescapePointerSegment(string segment) =>
        segment.Contains('~', StringComparison.Ordinal)
            ? segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)
            : segment;
}
