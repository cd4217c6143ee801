using System.Globalization;

namespace GitOps.Samples.Quickstart;

/// <summary>Command-line options of the quickstart.</summary>
internal sealed record QuickstartOptions(string? Kubeconfig, bool SimulateDrift, TimeSpan Timeout)
{
    public static QuickstartOptions? Parse(string[] args)
    {
        string? kubeconfig = null;
        var simulate = false;
        var timeout = TimeSpan.FromSeconds(120);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--kubeconfig" when i + 1 < args.Length:
                    kubeconfig = args[++i];
                    break;
                case "--simulate-drift":
                    simulate = true;
                    break;
                case "--timeout" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var s):
                    timeout = TimeSpan.FromSeconds(s);
                    i++;
                    break;
                default:
                    return null;
            }
        }

        return new QuickstartOptions(kubeconfig, simulate, timeout);
    }
}
