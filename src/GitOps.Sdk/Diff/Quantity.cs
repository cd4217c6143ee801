using System.Globalization;

namespace GitOps.Sdk.Diff;

/// <summary>
/// A Kubernetes resource quantity (<c>500m</c>, <c>0.5</c>, <c>1Gi</c>, <c>1e3</c>) parsed to an exact decimal value,
/// so that two spellings of one amount compare equal the way the API server sees them.
/// </summary>
/// <remarks>
/// Grammar (k8s.io/apimachinery <c>resource.Quantity</c>): <c>[+-] digits [. digits] [suffix]</c> where suffix is a binary SI
/// suffix (<c>Ki Mi Gi Ti Pi Ei</c>), a decimal SI suffix (<c>n u m "" k M G T P E</c>) or a decimal exponent
/// (<c>e</c>/<c>E</c> followed by a signed integer). Values are held as <see cref="decimal"/>; amounts beyond its range
/// (about 7.9e28) are rejected rather than rounded.
/// </remarks>
internal readonly record struct Quantity(decimal Value)
{
    private const int MaxUtf8Length = 64;

    /// <summary>Parses a quantity from UTF-8 text without allocating.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out Quantity quantity)
    {
        quantity = default;
        if (text.IsEmpty || text.Length > MaxUtf8Length)
        {
            return false;
        }

        var i = 0;
        var negative = false;
        if (text[0] is (byte)'+' or (byte)'-')
        {
            negative = text[0] == (byte)'-';
            i++;
        }

        decimal mantissa = 0;
        var digits = 0;
        var fractionDigits = 0;
        var seenPoint = false;
        var significant = 0;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == (byte)'.')
            {
                if (seenPoint)
                {
                    return false;
                }

                seenPoint = true;
                continue;
            }

            if (c is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            digits++;
            if (significant == 0 && c == (byte)'0')
            {
                if (seenPoint)
                {
                    fractionDigits++;
                }

                continue;
            }

            // decimal holds 28 significant digits exactly; more precision than that cannot be compared exactly.
            if (++significant > 28)
            {
                return false;
            }

            mantissa = (mantissa * 10) + (c - (byte)'0');
            if (seenPoint)
            {
                fractionDigits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        var suffix = text[i..];
        int exponent10;
        long binaryMultiplier = 1;
        if (suffix.IsEmpty)
        {
            exponent10 = 0;
        }
        else if (suffix.Length == 2 && suffix[1] == (byte)'i')
        {
            exponent10 = 0;
            binaryMultiplier = suffix[0] switch
            {
                (byte)'K' => 1L << 10,
                (byte)'M' => 1L << 20,
                (byte)'G' => 1L << 30,
                (byte)'T' => 1L << 40,
                (byte)'P' => 1L << 50,
                (byte)'E' => 1L << 60,
                _ => 0,
            };
            if (binaryMultiplier == 0)
            {
                return false;
            }
        }
        else if (suffix.Length == 1)
        {
            switch (suffix[0])
            {
                case (byte)'n': exponent10 = -9; break;
                case (byte)'u': exponent10 = -6; break;
                case (byte)'m': exponent10 = -3; break;
                case (byte)'k': exponent10 = 3; break;
                case (byte)'M': exponent10 = 6; break;
                case (byte)'G': exponent10 = 9; break;
                case (byte)'T': exponent10 = 12; break;
                case (byte)'P': exponent10 = 15; break;
                case (byte)'E': exponent10 = 18; break;
                default: return false;
            }
        }
        else if (suffix[0] is (byte)'e' or (byte)'E')
        {
            if (!int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent10)
                || exponent10 is < -60 or > 60)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        try
        {
            var value = Scale(mantissa, exponent10 - fractionDigits);
            value = checked(value * binaryMultiplier);
            quantity = new Quantity(negative ? -value : value);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Parses a quantity from text.</summary>
    public static bool TryParse(string text, out Quantity quantity)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<byte> buffer = stackalloc byte[MaxUtf8Length];
        if (text.Length > MaxUtf8Length)
        {
            quantity = default;
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 127)
            {
                quantity = default;
                return false;
            }

            buffer[i] = (byte)text[i];
        }

        return TryParse(buffer[..text.Length], out quantity);
    }

    /// <summary>
    /// Returns whether a desired quantity and the one the server stored mean the same amount. The server rounds
    /// amounts finer than a milli-unit up to the next milli-unit (<c>0.1m</c> is stored as <c>1m</c>), so a desired
    /// value is also equal to its rounded-up form.
    /// </summary>
    public static bool SemanticEquals(Quantity desired, Quantity live)
    {
        if (desired.Value == live.Value)
        {
            return true;
        }

        var milli = desired.Value * 1000;
        var rounded = decimal.Ceiling(milli);
        return rounded != milli && rounded / 1000 == live.Value;
    }

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    private static decimal Scale(decimal value, int exponent10)
    {
        if (value == 0)
        {
            return 0;
        }

        while (exponent10 > 0)
        {
            value = checked(value * 10);
            exponent10--;
        }

        while (exponent10 < 0)
        {
            // decimal keeps up to 28 digits after the point; beyond that the amount is below any server precision.
            if (exponent10 < -28)
            {
                throw new OverflowException();
            }

            value /= 10;
            exponent10++;
        }

        return value;
    }
}
