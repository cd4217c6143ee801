using System.Globalization;
using System.Text;

namespace GitOps.Sdk.Testing.Emulator.Protobuf;

/// <summary>Go's <c>time.Duration.String()</c>: <c>1h2m3.5s</c>, <c>1.5ms</c>, <c>0s</c>.</summary>
internal static class GoDuration
{
    public static string Format(long nanos)
    {
        if (nanos == 0)
        {
            return "0s";
        }

        var negative = nanos < 0;
        var u = negative ? (ulong)(-(nanos + 1)) + 1 : (ulong)nanos;
        var text = new StringBuilder();
        if (u < 1_000_000_000)
        {
            // Below one second: the largest unit that keeps a leading digit, with a fraction.
            var (unit, scale) = u < 1_000 ? ("ns", 1UL) : u < 1_000_000 ? ("µs", 1_000UL) : ("ms", 1_000_000UL);
            text.Append(Fraction(u, scale)).Append(unit);
        }
        else
        {
            var hours = u / 3_600_000_000_000;
            var rest = u % 3_600_000_000_000;
            var minutes = rest / 60_000_000_000;
            var seconds = rest % 60_000_000_000;
            if (hours > 0)
            {
                text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
            }

            if (hours > 0 || minutes > 0)
            {
                text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
            }

            text.Append(Fraction(seconds, 1_000_000_000)).Append('s');
        }

        return negative ? "-" + text : text.ToString();
    }

    private static string Fraction(ulong value, ulong scale)
    {
        var whole = (value / scale).ToString(CultureInfo.InvariantCulture);
        var fraction = value % scale;
        if (fraction == 0)
        {
            return whole;
        }

        var digits = scale.ToString(CultureInfo.InvariantCulture).Length - 1;
        return whole + "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
    }
}
