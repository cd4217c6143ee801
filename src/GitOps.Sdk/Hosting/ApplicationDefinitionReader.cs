using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Reads and checks application definitions the way the engine's own source (<see cref="GitOpsOptions.Applications"/>
/// and the <c>GitOps</c> configuration section) does, for an <see cref="IApplicationSource"/> that keeps applications
/// elsewhere (a database, a custom resource): the same keys, the same value syntax, the same messages.
/// </summary>
/// <example>
/// <code>
/// var errors = new List&lt;string&gt;();
/// var definition = ApplicationDefinitionReader.Read(configuration.GetSection("shop"), "shop", rendererBinders, errors);
/// IReadOnlyList&lt;string&gt; problems = errors.Count &gt; 0 ? errors : ApplicationDefinitionReader.Validate(definition);
/// </code>
/// </example>
public static class ApplicationDefinitionReader
{
    /// <summary>
    /// Reads an application from a section laid out like <c>GitOps:Applications:&lt;name&gt;</c> (keys are not case
    /// sensitive: <c>Source</c> as a URL or as <c>{Url, Ref, Type, Chart, Path, CredentialsName}</c>, <c>Path</c>,
    /// <c>Interval</c> as <c>00:05:00</c> or <c>5m</c>, <c>Prune</c>, <c>AllowedNamespaces</c>, <c>DependsOn</c>, …, and
    /// each renderer's keys through its <see cref="IRendererOptionsBinder"/>).
    /// </summary>
    /// <param name="section">The application's section.</param>
    /// <param name="name">The application's name (the section's own <c>Name</c> key is not read).</param>
    /// <param name="rendererBinders">The registered renderer options binders (from the container), or <see langword="null"/>.</param>
    /// <param name="errors">Receives a message, naming the section path, for each value that does not parse; that setting keeps its default.</param>
    /// <returns>The definition (not validated: see <see cref="Validate"/>).</returns>
    public static ApplicationDefinition Read(IConfigurationSection section, string name, IEnumerable<IRendererOptionsBinder>? rendererBinders, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(errors);
        var found = new List<string>();
        var definition = GitOpsConfigurationBinder.BindApplication(section, new ApplicationDefinition { Name = name }, found, rendererBinders);
        foreach (var error in found)
        {
            errors.Add(error);
        }

        return definition;
    }

    /// <summary>
    /// Returns what is wrong with a definition, as the engine checks it before running it: its name and each setting
    /// (not whether another application has the same name, and not the <see cref="ApplicationDefinition.DependsOn"/> graph).
    /// Each message starts with <c>GitOps application '&lt;name&gt;'</c> and names the setting.
    /// </summary>
    /// <param name="definition">The definition.</param>
    /// <returns>The problems; empty when the definition may run.</returns>
    public static IReadOnlyList<string> Validate(ApplicationDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var failures = new List<string>();
        var label = string.IsNullOrEmpty(definition.Name) ? "(no name)" : $"'{definition.Name}'";
        GitOpsOptionsValidator.ValidateName(definition, label, failures);
        GitOpsOptionsValidator.ValidateApplication(definition, label, failures);
        return failures;
    }
}
