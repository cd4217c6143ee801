using System.CommandLine;

namespace GitOps.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args);

    /// <summary>Parses and runs a command line; usage errors exit with 2 so that 1 can mean "drift found", as in diff(1).</summary>
    internal static async Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        var parseResult = CliApp.BuildRootCommand().Parse(args);
        var exitCode = await parseResult.InvokeAsync(configuration).ConfigureAwait(false);
        return parseResult.Errors.Count > 0 && exitCode == 1 ? 2 : exitCode;
    }
}
