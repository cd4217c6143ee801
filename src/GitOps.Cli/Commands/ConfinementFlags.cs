using System.CommandLine;
using GitOps.Sdk.Hosting;

namespace GitOps.Cli.Commands;

/// <summary>
/// The <c>gitops reconcile</c> flags that mirror an application's confinement options
/// (<see cref="ApplicationDefinition.AllowedNamespaces"/>, <see cref="ApplicationDefinition.AllowedClusterKinds"/>,
/// <see cref="ApplicationDefinition.DeniedKinds"/>, <see cref="ApplicationDefinition.AllowClusterAdminBindings"/>).
/// </summary>
internal sealed class ConfinementFlags
{
    private readonly Option<string[]> _allowNamespace = new("--allow-namespace")
    {
        Description = "A namespace the application's objects may target (repeatable; 'prefix*' or '*' for any). Default: only --namespace when given.",
    };

    private readonly Option<string[]> _allowClusterKind = new("--allow-cluster-kind")
    {
        Description = "A cluster-scoped kind the application may declare, as Kind, Kind.group, *.group or * (repeatable). Default: none; a Namespace named after an allowed namespace needs no flag.",
    };

    private readonly Option<string[]> _denyKind = new("--deny-kind")
    {
        Description = "A kind the application may never declare, as Kind, Kind.group, *.group or * (repeatable).",
    };

    private readonly Option<bool> _allowClusterAdminBinding = new("--allow-cluster-admin-binding")
    {
        Description = "Allow RoleBindings and ClusterRoleBindings to the cluster-admin ClusterRole (refused by default).",
    };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_allowNamespace);
        command.Options.Add(_allowClusterKind);
        command.Options.Add(_denyKind);
        command.Options.Add(_allowClusterAdminBinding);
    }

    /// <summary>Reads the flags.</summary>
    public Values Read(ParseResult parseResult) => new(
        parseResult.GetValue(_allowNamespace) ?? [],
        parseResult.GetValue(_allowClusterKind) ?? [],
        parseResult.GetValue(_denyKind) ?? [],
        parseResult.GetValue(_allowClusterAdminBinding));

    /// <summary>The flags' values.</summary>
    internal sealed record Values(string[] AllowNamespaces, string[] AllowClusterKinds, string[] DenyKinds, bool AllowClusterAdminBinding)
    {
        /// <summary>Gets no flags.</summary>
        public static Values None { get; } = new([], [], [], false);

        /// <summary>Returns <paramref name="definition"/> with the flags added; an allowed namespace list always includes <c>--namespace</c>.</summary>
        public ApplicationDefinition ApplyTo(ApplicationDefinition definition)
        {
            var namespaces = definition.AllowedNamespaces;
            if (AllowNamespaces.Length > 0 && !string.IsNullOrEmpty(definition.Namespace) && !AllowNamespaces.Contains(definition.Namespace))
            {
                namespaces = namespaces.Add(definition.Namespace);
            }

            return definition with
            {
                AllowedNamespaces = namespaces.AddRange(AllowNamespaces),
                AllowedClusterKinds = definition.AllowedClusterKinds.AddRange(AllowClusterKinds),
                DeniedKinds = definition.DeniedKinds.AddRange(DenyKinds),
                AllowClusterAdminBindings = AllowClusterAdminBinding,
            };
        }
    }
}
