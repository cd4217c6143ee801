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
    private const double TwoPow63 = 9223372036854775808.0;

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

    /// <summary>Returns whether a finite float is written as a JSON integer (kubectl decodes it as int64).</summary>
    public static bool IsIntegral(double value, out long integer)
    {
        if (value == Math.Floor(value) && value >= -TwoPow63 && value < TwoPow63)
        {
            integer = (long)value;
            return true;
        }

        integer = 0;
        return false;
    }

    /// <summary>Formats a float as Go's encoding/json does: shortest digits, <c>e</c> notation below 1e-6 and from 1e21.</summary>
    public static string FormatFloat(double value)
    {
        var abs = Math.Abs(value);
        var useExponent = abs != 0 && (abs < 1e-6 || abs >= 1e21);
        return Format(value.ToString("R", CultureInfo.InvariantCulture), useExponent, minExponentDigits: 1);
    }

    /// <summary>Formats a float map key as sigs.k8s.io/yaml does: <c>strconv.FormatFloat(key, 'g', -1, 32)</c>.</summary>
    public static string FormatFloatKey(double value)
    {
        var single = (float)value;
        var r = single.ToString("R", CultureInfo.InvariantCulture);
        Decompose(r, out _, out _, out var exponent);
        return Format(r, exponent is < -4 or >= 6, minExponentDigits: 2);
    }

    private static void Decompose(string r, out bool negative, out string digits, out int exponent)
    {
        negative = r.StartsWith('-');
        var body = negative ? r.AsSpan(1) : r.AsSpan();
        var e = body.IndexOfAny('E', 'e');
        var exp = 0;
        if (e >= 0)
        {
            exp = int.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..e];
        }

        var dot = body.IndexOf('.');
        var intPart = dot >= 0 ? body[..dot] : body;
        var fracPart = dot >= 0 ? body[(dot + 1)..] : [];
        var all = string.Concat(intPart, fracPart);
        var pointPosition = intPart.Length + exp; // digits before the decimal point
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
        }

        pointPosition -= lead;
        all = all[lead..].TrimEnd('0');
        if (all.Length == 0)
        {
            all = "0";
            pointPosition = 1;
        }

        digits = all;
        exponent = pointPosition - 1;
    }

    private static string Format(string r, bool useExponent, int minExponentDigits)
    {
        Decompose(r, out var negative, out var digits, out var exponent);
        var sb = new System.Text.StringBuilder(digits.Length + 8);
        if (negative)
        {
            sb.Append('-');
        }

        if (useExponent)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exponent < 0 ? '-' : '+');
            var expText = Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
            sb.Append('0', Math.Max(0, minExponentDigits - expText.Length)).Append(expText);
        }
        else if (exponent >= 0)
        {
            var intDigits = exponent + 1;
            if (digits.Length <= intDigits)
            {
                sb.Append(digits).Append('0', intDigits - digits.Length);
            }
            else
            {
                sb.Append(digits, 0, intDigits).Append('.').Append(digits, intDigits, digits.Length - intDigits);
            }
        }
        else
        {
            sb.Append("0.").Append('0', -exponent - 1).Append(digits);
        }

        return sb.ToString();
    }
}
