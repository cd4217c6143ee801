using System.CommandLine;

namespace GitOps.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => CliApp.BuildRootCommand().Parse(args).InvokeAsync();
}
