using System.Globalization;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Kubernetes resource quantities: parsing and the canonical form the API server stores (<c>0.5</c> → <c>500m</c>).</summary>
internal static class Quantity
{
    private static readonly (string Suffix, int Exp)[] Decimal =
        [("n", -9), ("u", -6), ("m", -3), ("", 0), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18)];

    private static readonly (string Suffix, int Power)[] Binary =
        [("Ki", 1), ("Mi", 2), ("Gi", 3), ("Ti", 4), ("Pi", 5), ("Ei", 6)];

    public static bool TryParse(string text, out decimal value, out char format)
    {
        value = 0;
        format = 'D';
        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        var end = s.Length;
        while (end > 0 && char.IsAsciiLetter(s[end - 1]))
        {
            end--;
        }

        var number = s[..end];
        var suffix = s[end..];
        decimal multiplier = 1;
        var expIndex = number.IndexOfAny(['e', 'E']);
        if (suffix.Length == 0 && expIndex < 0 && s.Length > 0)
        {
            var m = System.Text.RegularExpressions.Regex.Match(s, "^([+-]?[0-9.]+)[eE]([+-]?[0-9]+)$");
            if (m.Success)
            {
                number = m.Groups[1].Value;
                format = 'E';
                multiplier = Pow10(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            }
        }
        else if (suffix is "e" or "E")
        {
            return false;
        }

        if (suffix.Length > 0 && format != 'E')
        {
            var b = Array.FindIndex(Binary, x => x.Suffix == suffix);
            if (b >= 0)
            {
                format = 'B';
                multiplier = (decimal)Math.Pow(1024, Binary[b].Power);
            }
            else
            {
                var d = Array.FindIndex(Decimal, x => x.Suffix == suffix);
                if (d < 0)
                {
                    // "1e3" has its exponent parsed above; anything else is not a quantity.
                    var m = System.Text.RegularExpressions.Regex.Match(s, "^([+-]?[0-9.]+)[eE]([+-]?[0-9]+)$");
                    if (!m.Success)
                    {
                        return false;
                    }

                    number = m.Groups[1].Value;
                    format = 'E';
                    multiplier = Pow10(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
                }
                else
                {
                    multiplier = Pow10(Decimal[d].Exp);
                }
            }
        }

        if (number.Length == 0 || number == "." || !decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        value = n * multiplier;
        return true;
    }

    private static decimal Pow10(int exp)
    {
        decimal r = 1;
        for (var i = 0; i < Math.Abs(exp); i++)
        {
            r *= 10;
        }

        return exp < 0 ? 1 / r : r;
    }

    /// <summary>Returns the canonical form of a quantity string, or the input when it is not a quantity.</summary>
    public static string Canonicalize(string text)
    {
        if (!TryParse(text, out var value, out var format))
        {
            return text;
        }

        if (value == 0)
        {
            return "0";
        }

        var sign = value < 0 ? "-" : string.Empty;
        var abs = Math.Abs(value);
        // Round up to nano precision like the API server.
        var nanos = Math.Ceiling(abs * 1_000_000_000m);
        abs = nanos / 1_000_000_000m;
        if (format == 'B' && abs == Math.Floor(abs))
        {
            for (var i = Binary.Length - 1; i >= 0; i--)
            {
                var unit = (decimal)Math.Pow(1024, Binary[i].Power);
                if (abs >= unit && abs % unit == 0)
                {
                    return sign + (abs / unit).ToString(CultureInfo.InvariantCulture) + Binary[i].Suffix;
                }
            }

            return sign + abs.ToString(CultureInfo.InvariantCulture);
        }

        if (format == 'E')
        {
            var exp = 0;
            var mantissa = abs;
            while (mantissa == Math.Floor(mantissa) && mantissa % 10 == 0 && mantissa != 0)
            {
                mantissa /= 10;
                exp++;
            }

            while (mantissa != Math.Floor(mantissa))
            {
                mantissa *= 10;
                exp--;
            }

            var e3 = exp - (((exp % 3) + 3) % 3);
            mantissa *= Pow10(exp - e3);
            return sign + decimal.Truncate(mantissa).ToString(CultureInfo.InvariantCulture) + (e3 == 0 ? string.Empty : "e" + e3.ToString(CultureInfo.InvariantCulture));
        }

        for (var i = Decimal.Length - 1; i >= 0; i--)
        {
            var unit = Pow10(Decimal[i].Exp);
            var scaled = abs / unit;
            if (scaled == Math.Floor(scaled) && (scaled >= 1 || i == 0))
            {
                return sign + decimal.Truncate(scaled).ToString(CultureInfo.InvariantCulture) + Decimal[i].Suffix;
            }
        }

        return text;
    }
}
