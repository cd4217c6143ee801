using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace GitOps.Samples.Docs;

/// <summary>The application-source code shown in docs/extending.md, compiled.</summary>
internal static class ApplicationSourceSnippets
{
    public static void InMemory(IServiceCollection services, ApplicationDefinition shop)
    {
        #region in-memory-source
        var applications = new InMemoryApplicationSource();
        services.AddGitOps()
            .AddApplicationSource(applications)
            .AddGitSource()
            .AddKubernetesTarget();

        // Later, while the host runs (e.g. from an admin endpoint):
        applications.Set(shop);                                   // added: its loop starts
        applications.Set(shop with { Interval = TimeSpan.FromMinutes(1) }); // changed: its loop restarts
        applications.Remove("shop");                              // removed: its loop stops, its objects stay
        #endregion
    }

    public static void Configuration(IServiceCollection services, IConfigurationManager configuration)
    {
        #region configuration-source
        configuration.AddJsonFile("appsettings.json", optional: false, reloadOnChange: true);
        services.AddGitOps(configuration) // GitOps:Applications:<name> follow the file when it is saved
            .AddGitSource()
            .AddKubernetesTarget();
        #endregion
    }

    public static void Custom(IServiceCollection services) =>
        services.AddGitOps().AddApplicationSource<TeamCatalogSource>();
}

#region custom-application-source
/// <summary>Applications from a team catalog, published by a background job that polls it.</summary>
public sealed class TeamCatalogSource : IApplicationSource
{
    private readonly Lock _lock = new();
    private ApplicationSnapshot _current = new([], new CancellationChangeToken(CancellationToken.None));
    private CancellationTokenSource _changed = new();

    public string Name => "team-catalog";

    public ApplicationSnapshot GetSnapshot()
    {
        lock (_lock)
        {
            return _current;
        }
    }

    /// <summary>Hands the engine a new set; unchanged definitions keep running untouched.</summary>
    public void Publish(IEnumerable<ApplicationDefinition> applications, IEnumerable<ApplicationProblem> unreadable)
    {
        CancellationTokenSource previous;
        lock (_lock)
        {
            previous = _changed;
            _changed = new CancellationTokenSource();
            _current = new ApplicationSnapshot(applications, new CancellationChangeToken(_changed.Token), unreadable);
        }

        previous.Cancel(); // the engine reads the new snapshot now
    }
}
#endregion
