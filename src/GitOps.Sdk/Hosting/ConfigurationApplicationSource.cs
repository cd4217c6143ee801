using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// The applications under <c>Applications:&lt;name&gt;</c> of a configuration section (usually <c>GitOps</c>), read
/// again whenever the configuration reloads (for example <c>appsettings.json</c> with <c>reloadOnChange</c>). Values that
/// do not parse are reported with their configuration path and refuse the snapshot.
/// </summary>
internal sealed class ConfigurationApplicationSource(IConfiguration section) : IApplicationSource
{
    public string Name => "configuration";

    public ApplicationSnapshot GetSnapshot()
    {
        // The token is taken before reading, so a reload that lands while we read still fires it.
        var token = section.GetReloadToken();
        var errors = new List<string>();
        var applications = new List<ApplicationDefinition>();
        foreach (var app in section.GetSection("Applications").GetChildren())
        {
            applications.Add(GitOpsConfigurationBinder.BindApplication(app, new ApplicationDefinition { Name = app["Name"] ?? app.Key }, errors));
        }

        return new ApplicationSnapshot { Applications = [.. applications], ChangeToken = token, Errors = [.. errors] };
    }
}
