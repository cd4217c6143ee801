using System.CommandLine;
using GitOps.Cli.Hosting;

namespace GitOps.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // SIGTERM/SIGINT cancel the command (which then stops cleanly) rather than ending the process mid-write.
        using var signals = new ShutdownSignals();
        return await RunAsync(args, new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token).ConfigureAwait(false);
    }

    /// <summary>Parses and runs a command line; usage errors exit with 2 so that 1 can mean "drift found", as in diff(1).</summary>
    internal static async Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        var parseResult = CliApp.BuildRootCommand().Parse(args);
        var exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        return parseResult.Errors.Count > 0 && exitCode == 1 ? 2 : exitCode;
    }
}
