using GitOps.Sdk.Git;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Checks rules of <see cref="GitSourceOptions"/> that span fields: readable patterns, usable credentials, readable verification keys.</summary>
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

        foreach (var (policyName, policy) in options.Verification)
        {
            if (policy is null)
            {
                failures.Add($"GitSourceOptions.Verification['{policyName}'] is null.");
                continue;
            }

            if (!Enum.IsDefined(policy.Mode))
            {
                failures.Add($"GitSourceOptions.Verification['{policyName}'].Mode {policy.Mode} is not Off, Head or Tag.");
                continue;
            }

            if (policy.Repositories.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"GitSourceOptions.Verification['{policyName}'].Repositories holds an empty pattern.");
            }

            try
            {
                // Reading the keys now makes a typo in a key or a missing file fail the start, not the first reconcile.
                VerificationPolicy.Load(policyName, policy);
            }
            catch (FormatException e)
            {
                failures.Add(e.Message);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
