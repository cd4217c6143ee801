using System.Text.RegularExpressions;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Configuration;

/// <summary>
/// Creates <see cref="GitOpsOptions"/> as the options system does, then checks the whole GitOps configuration at once:
/// the engine's own settings and applications, keys of the <c>GitOps</c> section that nothing reads, and the options of
/// every package's <see cref="GitOpsConfigurationPart"/>. Any problem throws one <see cref="GitOpsConfigurationException"/>
/// listing them all; since the engine's options are validated on start, that is what the host's start (or the first
/// read of the options) throws.
/// </summary>
internal sealed partial class GitOpsOptionsFactory(
    IEnumerable<IConfigureOptions<GitOpsOptions>> setups,
    IEnumerable<IPostConfigureOptions<GitOpsOptions>> postConfigures,
    IEnumerable<IValidateOptions<GitOpsOptions>> validations,
    IServiceProvider services) : IOptionsFactory<GitOpsOptions>
{
    private readonly OptionsFactory<GitOpsOptions> _inner = new(setups, postConfigures, validations);

    public GitOpsOptions Create(string name)
    {
        var errors = new List<string>();
        GitOpsOptions? options = null;
        try
        {
            options = _inner.Create(name);
        }
        catch (OptionsValidationException ex)
        {
            errors.AddRange(ex.Failures);
        }

        if (name == Options.DefaultName)
        {
            var parts = services.GetServices<GitOpsConfigurationPart>().ToArray();
            foreach (var configuration in services.GetServices<GitOpsConfiguration>())
            {
                if (configuration.IsDedicatedSection)
                {
                    var keys = GitOpsConfigurationKeys.Build(parts, services.GetServices<IRendererOptionsBinder>());
                    errors.AddRange(GitOpsConfigurationKeys.FindUnknown(configuration.Section, keys));
                }
            }

            foreach (var part in parts)
            {
                errors.AddRange(Validate(part));
            }
        }

        if (errors.Count > 0)
        {
            throw new GitOpsConfigurationException(errors.Distinct(StringComparer.Ordinal));
        }

        return options!;
    }

    private IEnumerable<string> Validate(GitOpsConfigurationPart part)
    {
        var factory = services.GetService(typeof(IOptionsFactory<>).MakeGenericType(part.OptionsType));
        var create = factory?.GetType().GetMethod(nameof(IOptionsFactory<object>.Create), [typeof(string)]);
        if (create is null)
        {
            return [];
        }

        try
        {
            create.Invoke(factory, [Options.DefaultName]);
            return [];
        }
        catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is OptionsValidationException invalid)
        {
            return invalid.Failures.Select(f => Describe(part, f));
        }
    }

    /// <summary>Names the configuration key in a data-annotation failure (<c>GitOps:Target:MaxConcurrency: The field …</c>).</summary>
    private static string Describe(GitOpsConfigurationPart part, string failure)
    {
        var match = DataAnnotationFailure().Match(failure);
        if (!match.Success)
        {
            return failure;
        }

        var key = ConfigurationShape.Keys(part.OptionsType).FirstOrDefault(k => k.Property.Name == match.Groups["member"].Value)?.Key ?? match.Groups["member"].Value;
        return $"{GitOpsConfiguration.SectionName}:{part.Key}:{key}: {match.Groups["error"].Value}";
    }

    [GeneratedRegex(@"^DataAnnotation validation failed for '[^']*' members: '(?<member>[^']*)' with the error: '(?<error>.*)'\.$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();
}
