using System.CommandLine;

namespace GitOps.Cli;

/// <summary>Builds the <c>gitops</c> command tree. Each command lives in its own file under <c>Commands/</c>.</summary>
internal static class CliApp
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("gitops: diff, render and reconcile Kubernetes desired state; run a Kubernetes API emulator.");
        // Commands register here, one line each.
        return root;
    }
}
