using GitOps.Sdk.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk;

/// <summary>
/// Registers a <see cref="GitOpsConfigurationPart"/>: <c>GitOps:&lt;key&gt;</c> of the configuration given to
/// <c>AddGitOps(IConfiguration)</c> is bound onto the options type (before the package's code
/// <c>configure</c> actions, which are registered after it), and its values that do not parse are reported by validation.
/// Registering the same part again does nothing.
/// </summary>
internal static class GitOpsConfigurationParts
{
    public static void Add<TOptions>(IGitOpsBuilder builder, string key)
        where TOptions : class, new()
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(GitOpsConfigurationPart) && d.ImplementationInstance is GitOpsConfigurationPart p && p.OptionsType == typeof(TOptions)))
        {
            return;
        }

        services.AddSingleton(new GitOpsConfigurationPart(key, typeof(TOptions)));
        services.AddOptions<TOptions>().Configure<IEnumerable<GitOpsConfiguration>>((o, configurations) =>
        {
            foreach (var configuration in configurations)
            {
                ConfigurationShape.Bind(Section(configuration, key), o, new List<string>());
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, PartValidator<TOptions>>(
            sp => new PartValidator<TOptions>(key, sp.GetServices<GitOpsConfiguration>())));
    }

    private static Microsoft.Extensions.Configuration.IConfigurationSection Section(GitOpsConfiguration configuration, string key) =>
        configuration.Section.GetSection(key);

    /// <summary>Reports the values of the part that do not parse (binding them again onto a fresh instance).</summary>
    private sealed class PartValidator<TOptions>(string key, IEnumerable<GitOpsConfiguration> configurations) : IValidateOptions<TOptions>
        where TOptions : class, new()
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            if (name != Options.DefaultName)
            {
                return ValidateOptionsResult.Skip;
            }

            var errors = new List<string>();
            foreach (var configuration in configurations)
            {
                ConfigurationShape.Bind(Section(configuration, key), new TOptions(), errors);
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
