using System.Globalization;

namespace GitOps.Sdk.Manifests;

/// <summary>The JSON type a YAML scalar resolves to.</summary>
internal enum ScalarKind : byte
{
    Null,
    Bool,
    Int,
    Float,
    String,

    /// <summary><c>.inf</c>, <c>-.inf</c>, <c>.nan</c>: valid YAML, no JSON meaning.</summary>
    NonFinite,
}

/// <summary>
/// Resolves plain scalars the way kubectl does: sigs.k8s.io/yaml on top of go-yaml v2, i.e. YAML 1.1 booleans
/// (<c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c>/<c>y</c>/<c>n</c>), Go integer literals (<c>0x1F</c>, <c>0755</c>,
/// <c>0o17</c>, <c>0b101</c>, underscores ignored), timestamps left as strings, and numbers written as kubectl writes
/// them (an integral value in the 64-bit range is an integer, anything else a float in Go's shortest form).
/// </summary>
internal static class YamlScalar
{
    private const string TagPrefix = "tag:yaml.org,2002:";

    /// <summary>
    /// Resolves a scalar with an explicit tag: the core-schema tags must match the text (<paramref name="expected"/> then
    /// says what it is not), every other tag (<c>!!str</c>, <c>!</c>, <c>!!timestamp</c>, <c>!!binary</c>, local tags) keeps the text.
    /// </summary>
    public static ScalarKind ResolveTagged(string text, string tag, out long integer, out double number, out string? expected)
    {
        integer = 0;
        number = 0;
        expected = null;
        ScalarKind kind;
        var name = tag.StartsWith(TagPrefix, StringComparison.Ordinal) ? tag[TagPrefix.Length..] : null;
        switch (name)
        {
            case "int":
                kind = ResolvePlain(text, out integer, out number);
                expected = kind is ScalarKind.Int || (kind is ScalarKind.Float && GoNumberFormat.IsIntegral(number, out _)) ? null : "an integer";
                break;
            case "float":
                kind = ResolvePlain(text, out integer, out number);
                if (kind == ScalarKind.Int)
                {
                    kind = ScalarKind.Float;
                    number = integer;
                }

                expected = kind is ScalarKind.Float or ScalarKind.NonFinite ? null : "a number";
                break;
            case "bool":
                kind = ResolvePlain(text, out integer, out number);
                expected = kind == ScalarKind.Bool ? null : "a boolean";
                break;
            case "null":
                kind = ResolvePlain(text, out integer, out number);
                expected = kind == ScalarKind.Null ? null : "null";
                break;
            default:
                kind = ScalarKind.String;
                break;
        }

        return kind;
    }

    public static ScalarKind ResolvePlain(string text, out long integer, out double number)
    {
        integer = 0;
        number = 0;
        switch (text.Length)
        {
            case 0:
                return ScalarKind.Null;
            case 1:
                switch (text[0])
                {
                    case '~':
                        return ScalarKind.Null;
                    case 'y' or 'Y':
                        integer = 1;
                        return ScalarKind.Bool;
                    case 'n' or 'N':
                        return ScalarKind.Bool;
                }

                break;
        }

        var first = text[0];
        if (first is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z'))
        {
            switch (text)
            {
                case "null" or "Null" or "NULL":
                    return ScalarKind.Null;
                case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                    integer = 1;
                    return ScalarKind.Bool;
                case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                    return ScalarKind.Bool;
                default:
                    return ScalarKind.String;
            }
        }

        if (first is not ((>= '0' and <= '9') or '+' or '-' or '.'))
        {
            return ScalarKind.String;
        }

        switch (text)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                number = double.PositiveInfinity;
                return ScalarKind.NonFinite;
            case "-.inf" or "-.Inf" or "-.INF":
                number = double.NegativeInfinity;
                return ScalarKind.NonFinite;
            case ".nan" or ".NaN" or ".NAN":
                number = double.NaN;
                return ScalarKind.NonFinite;
        }

        return ResolveNumber(text, out integer, out number);
    }

    private static ScalarKind ResolveNumber(string text, out long integer, out double number)
    {
        integer = 0;
        number = 0;
        Span<char> stack = stackalloc char[64];
        scoped ReadOnlySpan<char> plain;
        if (text.Contains('_', StringComparison.Ordinal))
        {
            if (text.Length > stack.Length)
            {
                plain = text.Replace("_", string.Empty, StringComparison.Ordinal);
            }
            else
            {
                var n = 0;
                foreach (var c in text)
                {
                    if (c != '_')
                    {
                        stack[n++] = c;
                    }
                }

                plain = stack[..n];
            }
        }
        else
        {
            plain = text;
        }

        switch (ParseGoInteger(plain, out integer, out var unsignedValue))
        {
            case IntegerParse.Int64:
                return ScalarKind.Int;
            case IntegerParse.UInt64:
                // kubectl decodes the JSON it sends into int64 or float64: a value above int64 becomes a float.
                number = unsignedValue;
                return ScalarKind.Float;
        }

        if (IsYamlStyleFloat(plain)
            && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out number)
            && double.IsFinite(number))
        {
            return ScalarKind.Float;
        }

        number = 0;
        return ScalarKind.String;
    }

    private enum IntegerParse
    {
        None,
        Int64,
        UInt64,
    }

    /// <summary>strconv.ParseInt(s, 0, 64), falling back to strconv.ParseUint(s, 0, 64), as go-yaml v2 does.</summary>
    private static IntegerParse ParseGoInteger(ReadOnlySpan<char> s, out long value, out ulong unsignedValue)
    {
        value = 0;
        unsignedValue = 0;
        if (s.IsEmpty)
        {
            return IntegerParse.None;
        }

        var negative = false;
        var signed = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            signed = true;
            s = s[1..];
        }

        if (s.IsEmpty)
        {
            return IntegerParse.None;
        }

        var radix = 10;
        if (s.Length >= 2 && s[0] == '0')
        {
            switch (s[1])
            {
                case 'x' or 'X':
                    radix = 16;
                    s = s[2..];
                    break;
                case 'b' or 'B':
                    radix = 2;
                    s = s[2..];
                    break;
                case 'o' or 'O':
                    radix = 8;
                    s = s[2..];
                    break;
                default:
                    radix = 8;
                    s = s[1..];
                    break;
            }

            if (s.IsEmpty)
            {
                return IntegerParse.None;
            }
        }

        ulong magnitude = 0;
        foreach (var c in s)
        {
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                return IntegerParse.None;
            }

            if (magnitude > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
            {
                return IntegerParse.None;
            }

            magnitude = (magnitude * (ulong)radix) + (ulong)digit;
        }

        if (negative)
        {
            if (magnitude > 9223372036854775808UL)
            {
                return IntegerParse.None;
            }

            value = magnitude == 9223372036854775808UL ? long.MinValue : -(long)magnitude;
            return IntegerParse.Int64;
        }

        if (magnitude <= long.MaxValue)
        {
            value = (long)magnitude;
            return IntegerParse.Int64;
        }

        if (signed)
        {
            return IntegerParse.None;
        }

        unsignedValue = magnitude;
        return IntegerParse.UInt64;
    }

    /// <summary>go-yaml v2's <c>^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$</c>.</summary>
    private static bool IsYamlStyleFloat(ReadOnlySpan<char> s)
    {
        var i = 0;
        if (i < s.Length && s[i] is '+' or '-')
        {
            i++;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }
        else
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }

            if (i < s.Length && s[i] == '.')
            {
                i++;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
            }
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '+' or '-')
            {
                i++;
            }

            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        return i == s.Length;
    }
}
