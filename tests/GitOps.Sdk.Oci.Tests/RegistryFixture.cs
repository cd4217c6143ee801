using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using GitOps.Sdk.Oci.Distribution;
using GitOps.Sdk.Oci.Sources;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Helm;
using GitOps.Sdk.TestUtilities.Oci;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Oci.Tests;

/// <summary>Two real registries (anonymous and htpasswd) and a helm CLI with a packaged chart, shared by the OCI tests.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public const string User = "deployer";
    public const string Secret = "s3cret-Pa55";

    public RegistryServer Anonymous { get; private set; } = null!;

    public RegistryServer Authenticated { get; private set; } = null!;

    public HelmCli Helm { get; } = new();

    public TempDirectory Work { get; } = new("oci-tests");

    /// <summary>Gets the chart folder made by <c>helm create web</c>.</summary>
    public string ChartDirectory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var anonymous = RegistryServer.StartAsync();
        var authenticated = RegistryServer.StartAsync(User, Secret);
        Anonymous = await anonymous;
        Authenticated = await authenticated;
        ChartDirectory = await Helm.CreateChartAsync(Work.Combine("charts"), "web");
    }

    /// <summary>Makes the helm chart only, for fixtures that bring their own registries.</summary>
    public async Task InitializeChartOnlyAsync() =>
        ChartDirectory = await Helm.CreateChartAsync(Work.Combine("charts"), "web");

    public async Task DisposeAsync()
    {
        if (Anonymous is not null)
        {
            await Anonymous.DisposeAsync();
        }

        if (Authenticated is not null)
        {
            await Authenticated.DisposeAsync();
        }

        Helm.Dispose();
        Work.Dispose();
    }

    /// <summary>Packages the chart at <paramref name="version"/> and pushes it with the real <c>helm push</c>.</summary>
    public async Task PushChartAsync(RegistryServer registry, string repositoryPrefix, string version)
    {
        var package = await Helm.PackageAsync(ChartDirectory, version, Work.Combine("packages", Guid.NewGuid().ToString("N")));
        await Helm.PushAsync(package, $"oci://{registry.Address}/{repositoryPrefix}", registry.Username, registry.Password);
    }

    public OciOptions Options(RegistryServer registry, string? cache = null)
    {
        var options = new OciOptions { CacheDirectory = cache ?? Work.Combine("cache", Guid.NewGuid().ToString("N")) };
        options.PlainHttpRegistries.Add(registry.Address);
        return options;
    }

    public static SourceCredentials? CredentialsFor(RegistryServer registry) =>
        registry.Username is null ? null : new SourceCredentials { Username = registry.Username, Password = registry.Password };

    public static (OciSourceProvider Provider, OciDistributionClient Client, RecordingHandler Http) CreateProvider(OciOptions options, SourceCredentials? credentials, TimeProvider? time = null)
    {
        var handler = new RecordingHandler(new SocketsHttpHandler());
        var http = new HttpClient(handler);
        var client = new OciDistributionClient(http, options, time);
        var provider = new OciSourceProvider(client, Microsoft.Extensions.Options.Options.Create(options), time, new FixedCredentials(credentials));
        return (provider, client, handler);
    }

    /// <summary>Pushes a Flux-style manifest bundle (<c>flux push artifact</c> layout) with our own client.</summary>
    public static async Task<OciDescriptor> PushBundleAsync(OciDistributionClient client, OciRepositoryReference repository, string tag, IReadOnlyDictionary<string, string> files, SourceCredentials? credentials, string layerMediaType = OciMediaTypes.FluxContent)
    {
        var layer = TarGz(files);
        var config = Encoding.UTF8.GetBytes("{}");
        var configDescriptor = await client.PushBlobAsync(repository, config, OciMediaTypes.FluxConfig, credentials, CancellationToken.None);
        var layerDescriptor = await client.PushBlobAsync(repository, layer, layerMediaType, credentials, CancellationToken.None);
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciMediaTypes.ImageManifest,
            ["config"] = Descriptor(configDescriptor),
            ["layers"] = new[] { Descriptor(layerDescriptor) },
            ["annotations"] = new Dictionary<string, string>
            {
                ["org.opencontainers.image.source"] = "https://git.example/deploy",
                ["org.opencontainers.image.revision"] = $"main@sha1:{tag}",
            },
        });
        return await client.PushManifestAsync(repository, tag, OciMediaTypes.ImageManifest, manifest, credentials, CancellationToken.None);
    }

    public static byte[] TarGz(IReadOnlyDictionary<string, string> files)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
            }
        }

        return output.ToArray();
    }

    private static Dictionary<string, object> Descriptor(OciDescriptor d) => new()
    {
        ["mediaType"] = d.MediaType,
        ["digest"] = d.Digest,
        ["size"] = d.Size,
    };

    private sealed class FixedCredentials(SourceCredentials? credentials) : ICredentialProvider
    {
        public ValueTask<SourceCredentials?> GetCredentialsAsync(SourceReference source, CancellationToken cancellationToken) => ValueTask.FromResult(credentials);
    }
}

/// <summary>Records every request the client makes (method and path), so tests can assert what was (not) downloaded.</summary>
public sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly List<string> _requests = [];

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public void Clear()
    {
        lock (_requests)
        {
            _requests.Clear();
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (_requests)
        {
            _requests.Add($"{request.Method} {request.RequestUri!.PathAndQuery}");
        }

        return base.SendAsync(request, cancellationToken);
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}
