using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Tests.Hosting;

/// <summary>Keys of the GitOps section that nothing reads are errors naming their path, reported with every other problem.</summary>
public sealed class UnknownKeyTests
{
    private static GitOpsConfigurationException? Read(Dictionary<string, string?> values, Action<IServiceCollection>? more = null, bool passSection = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddGitOps(passSection ? configuration.GetSection("GitOps") : configuration);
        more?.Invoke(services);
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<GitOpsOptions>>().Value;
            return null;
        }
        catch (GitOpsConfigurationException ex)
        {
            return ex;
        }
    }

    private static Dictionary<string, string?> Valid(params (string Key, string? Value)[] more)
    {
        var values = new Dictionary<string, string?>
        {
            ["GitOps:Applications:web:Source"] = "https://git.example.com/web.git",
            ["GitOps:Applications:web:Interval"] = "5m",
        };
        foreach (var (key, value) in more)
        {
            values[key] = value;
        }

        return values;
    }

    [Fact]
    public void MisspeltKeys_AtEveryLevel_AreReportedTogether_NamingPathAndSuggestion()
    {
        var error = Read(Valid(
            ("GitOps:Applications:web:Intervall", "5m"),
            ("GitOps:MaxConcurentReconciles", "2"),
            ("GitOps:IgnoreRules:0:JsonPointers:0", "/spec/replicas"),
            ("GitOps:IgnoreRules:0:Knd", "Deployment"),
            ("GitOps:Applications:web:Source:Reff", "main"),
            ("GitOps:Applications:web:AllowedNamespaces:first", "web"),
            ("GitOps:Applications:web:Prune:Always", "true"),
            ("GitOps:Applications:web:Interval", "banana")));

        error.Should().NotBeNull();
        error!.Errors.Should().Contain([
            "GitOps:Applications:web:Intervall is not a known key (did you mean Interval?).",
            "GitOps:MaxConcurentReconciles is not a known key (did you mean MaxConcurrentReconciles?).",
            "GitOps:IgnoreRules:0:Knd is not a known key (did you mean Kind?).",
            "GitOps:Applications:web:Source:Reff is not a known key (did you mean Ref?).",
            "GitOps:Applications:web:AllowedNamespaces:first is not a known key (GitOps:Applications:web:AllowedNamespaces is a list: its entries are GitOps:Applications:web:AllowedNamespaces:0, GitOps:Applications:web:AllowedNamespaces:1, …).",
            "GitOps:Applications:web:Prune:Always is not a known key (GitOps:Applications:web:Prune takes a single value).",
            "GitOps:Applications:web:Interval: 'banana' is not a duration (examples: 00:05:00, 5m, 30s, 1h).",
        ]);
        error.Message.Should().StartWith($"The GitOps configuration has {error.Errors.Count} problems:");
    }

    [Fact]
    public void EveryDocumentedShape_IsAccepted()
    {
        var error = Read(Valid(
            ("GitOps:MaxConcurrentReconciles", "2"),
            ("GitOps:AllowedClusterKinds:0", "Namespace"),
            ("GitOps:IgnoreRules:0:Kind", "Deployment"),
            ("GitOps:IgnoreRules:0:ManagedFieldsManagers:0", "hpa"),
            ("GitOps:Applications:web:Ref", "main"),
            ("GitOps:Applications:web:CommonLabels:team", "shop"),
            ("GitOps:Applications:web:Variables:REGION", "eu"),
            ("GitOps:Applications:web:DependsOn:0", "db"),
            ("GitOps:Applications:db:Source:Url", "https://git.example.com/db.git"),
            ("GitOps:Applications:db:Source:Ref", "v1"),
            ("GitOps:Applications:db:Source:IncludePrerelease", "true"),
            ("GitOps:Applications:db:SourceType", "git"),
            ("gitops:applications:db:prune", "false")));

        error.Should().BeNull("keys are not case sensitive, maps take any name, Source is a URL or an object");
    }

    [Fact]
    public void ARootWithoutAGitOpsSection_IsNotChecked_ButASectionGivenDirectlyIs()
    {
        // Bound from the root itself (no GitOps section): the root holds every other setting of the host too.
        Read(new() { ["Logging:LogLevel:Default"] = "Information", ["Urls"] = "http://+:80" }).Should().BeNull();

        var error = Read(Valid(("GitOps:Intervall", "5m")), passSection: true);

        error!.Errors.Should().ContainSingle().Which.Should().Be("GitOps:Intervall is not a known key.");
    }

    [Fact]
    public void RendererBinderKeys_AreKnown_OtherKeysAreNot_AndABinderWithoutKeysLeavesApplicationsUnchecked()
    {
        var values = Valid(("GitOps:Applications:web:Jsonnet:Library", "vendor"), ("GitOps:Applications:web:Jsonnet:Libary", "x"));

        var declared = Read(values, s => s.AddSingleton<IRendererOptionsBinder>(new KeyedBinder(["Jsonnet:Library", "Jsonnet:Paths:*"])));
        var undeclared = Read(values, s => s.AddSingleton<IRendererOptionsBinder>(new KeyedBinder([])));

        declared!.Errors.Should().ContainSingle().Which.Should().Be("GitOps:Applications:web:Jsonnet:Libary is not a known key (did you mean Library?).");
        undeclared.Should().BeNull("a binder that declares no keys may read any");
    }

    [Fact]
    public async Task StartAsync_ThrowsOneGitOpsConfigurationException_WithUnknownKeysAndInvalidValues()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Valid(("GitOps:Applications:web:Intervall", "1m"), ("GitOps:HistoryLimit", "0"))).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGitOps(configuration);
        using var host = builder.Build();

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<GitOpsConfigurationException>()).Which;
        error.Errors.Should().Equal(
            "GitOps: HistoryLimit must be at least 1 (was 0).",
            "GitOps:Applications:web:Intervall is not a known key (did you mean Interval?).");
    }

    private sealed class KeyedBinder(string[] keys) : IRendererOptionsBinder
    {
        public string Renderer => "jsonnet";

        public IReadOnlyList<string> ConfigurationKeys => keys;

        public IRendererOptions? Bind(IConfigurationSection application, IRendererOptions? current, ICollection<string> errors) => null;
    }
}

/// <summary>Every typed key the key tree lists for applications is read by the binder: a value that does not parse is reported at its path.</summary>
public sealed class ApplicationKeyTreeTests
{
    public static TheoryData<string> TypedApplicationKeys()
    {
        var app = GitOps.Sdk.Configuration.GitOpsConfigurationKeys.Build([], []).Children["Applications"].Entry!;
        var data = new TheoryData<string>();
        foreach (var path in Scalars(app, string.Empty))
        {
            data.Add(path);
        }

        return data;
    }

    private static IEnumerable<string> Scalars(GitOps.Sdk.Configuration.KeyNode node, string prefix)
    {
        foreach (var (key, child) in node.Children)
        {
            if (child.Kind == GitOps.Sdk.Configuration.KeyKind.Scalar && child.ValueType is { } t && (Nullable.GetUnderlyingType(t) ?? t) != typeof(string))
            {
                yield return prefix + key;
            }
            else if (child.Kind == GitOps.Sdk.Configuration.KeyKind.Object)
            {
                foreach (var nested in Scalars(child, $"{prefix}{key}:"))
                {
                    yield return nested;
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(TypedApplicationKeys))]
    public void TypedKey_WithAValueThatDoesNotParse_IsReportedAtItsPath(string key)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitOps:Applications:web:Source:Url"] = "https://git.example.com/web.git",
            [$"GitOps:Applications:web:{key}"] = "not-a-value",
        }).Build();
        var services = new ServiceCollection();
        services.AddGitOps(configuration);
        using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<IOptions<GitOpsOptions>>().Value;

        read.Should().Throw<GitOpsConfigurationException>().Which.Errors.Should().Contain(e => e.StartsWith($"GitOps:Applications:web:{key}: 'not-a-value' ", StringComparison.Ordinal));
    }
}
