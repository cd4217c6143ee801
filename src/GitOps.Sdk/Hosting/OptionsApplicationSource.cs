using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// The engine's own <see cref="IApplicationSource"/>: <see cref="GitOpsOptions.Applications"/>, as code
/// (<c>AddGitOps(o =&gt; …)</c>, <c>AddApplication(...)</c>) and the <c>GitOps</c> configuration section
/// (<c>AddGitOps(configuration)</c>) fill them. The first snapshot is the validated options the host started with;
/// when the configuration reloads (e.g. <c>appsettings.json</c> saved with <c>reloadOnChange</c>), the options are
/// built again from every registered configure action and each application is judged on its own.
/// </summary>
/// <remarks>
/// Only the applications follow a reload; host-wide settings (<see cref="GitOpsOptions.MaxConcurrentReconciles"/>,
/// the field manager, …) are read once at start-up.
/// </remarks>
internal sealed class OptionsApplicationSource(
    IOptions<GitOpsOptions> options,
    IEnumerable<IConfigureOptions<GitOpsOptions>> configure,
    IEnumerable<IPostConfigureOptions<GitOpsOptions>> postConfigure,
    IEnumerable<IOptionsChangeTokenSource<GitOpsOptions>> changeTokens) : IApplicationSource
{
    private readonly IConfigureOptions<GitOpsOptions>[] _configure = [.. configure];
    private readonly IPostConfigureOptions<GitOpsOptions>[] _postConfigure = [.. postConfigure];
    private readonly IOptionsChangeTokenSource<GitOpsOptions>[] _changeTokens = [.. changeTokens.Where(static t => t.Name is null || t.Name == Options.DefaultName)];
    private readonly Lock _lock = new();
    private ApplicationSnapshot? _current;

    public string Name => "options";

    public ApplicationSnapshot GetSnapshot()
    {
        lock (_lock)
        {
            if (_current is { } current && !current.ChangeToken.HasChanged)
            {
                return current;
            }

            // The token is taken before the options are read, so a change while reading fires it.
            var token = CreateToken();
            var read = _current is null ? options.Value : Build();
            _current = new ApplicationSnapshot(read.Applications, token, read.ApplicationBindingErrors);
            return _current;
        }
    }

    private IChangeToken CreateToken() => _changeTokens.Length switch
    {
        0 => ApplicationSnapshot.NeverChanges,
        1 => _changeTokens[0].GetChangeToken(),
        _ => new CompositeChangeToken([.. _changeTokens.Select(static t => t.GetChangeToken())]),
    };

    /// <summary>Runs the configure actions as the options factory does, without its validation: each application is validated on its own.</summary>
    private GitOpsOptions Build()
    {
        var built = new GitOpsOptions();
        foreach (var action in _configure)
        {
            if (action is IConfigureNamedOptions<GitOpsOptions> named)
            {
                named.Configure(Options.DefaultName, built);
            }
            else
            {
                action.Configure(built);
            }
        }

        foreach (var action in _postConfigure)
        {
            action.PostConfigure(Options.DefaultName, built);
        }

        return built;
    }
}

/// <summary>Tells the options system (and <see cref="OptionsApplicationSource"/>) when the <c>GitOps</c> configuration section reloads.</summary>
internal sealed class GitOpsConfigurationChangeTokenSource(IConfiguration configuration) : IOptionsChangeTokenSource<GitOpsOptions>
{
    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => configuration.GetReloadToken();
}
