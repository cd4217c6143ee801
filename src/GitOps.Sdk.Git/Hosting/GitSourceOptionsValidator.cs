using GitOps.Sdk.Git;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Checks rules of <see cref="GitSourceOptions"/> that span fields: readable patterns, usable credentials.</summary>
internal sealed class GitSourceOptionsValidator : IValidateOptions<GitSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, GitSourceOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.CacheDirectory))
        {
            failures.Add("GitSourceOptions.CacheDirectory must be set.");
        }

        foreach (var (list, label) in new[] { (options.Ignore, "Ignore"), (options.Include, "Include") })
        {
            try
            {
                new IgnoreRules().Add(list, string.Empty, "GitSourceOptions." + label);
            }
            catch (FormatException e)
            {
                failures.Add(e.Message);
            }
        }

        foreach (var (credentialName, credentials) in options.Credentials)
        {
            if (credentials is null)
            {
                failures.Add($"GitSourceOptions.Credentials['{credentialName}'] is null.");
            }
            else if (credentials.BearerToken is not null && credentials.Password is not null)
            {
                failures.Add($"GitSourceOptions.Credentials['{credentialName}'] sets both a password and a bearer token; choose one.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
