using System.Globalization;

namespace GitOps.Sdk.Manifests;

/// <summary>Writes numbers the way kubectl does (Go's <c>encoding/json</c> and <c>strconv</c>), so that a rendered manifest's JSON matches what kubectl would send.</summary>
internal static class GoNumberFormat
{
    private const double TwoPow63 = 9223372036854775808.0;

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
