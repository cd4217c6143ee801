using System.CommandLine;

namespace GitOps.Cli;

/// <summary>
/// Builds the <c>gitops</c> command tree. Each command lives in its own file under <c>Commands/</c> as an
/// <see cref="ICliCommand"/>; they are discovered here, so adding a command touches no shared file.
/// </summary>
internal static class CliApp
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("gitops: diff, render and reconcile Kubernetes desired state; run a Kubernetes API emulator.");
        var commands = typeof(CliApp).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
            .Select(c => c.Create())
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}

/// <summary>A top-level <c>gitops</c> command. Implementations need a public parameterless constructor.</summary>
internal interface ICliCommand
{
    /// <summary>Creates the command with its options and action.</summary>
    /// <returns>The command.</returns>
    Command Create();
}
