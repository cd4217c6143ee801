using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Authentication;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// Finds the cluster the way kubectl does: an explicit kubeconfig file, else the files of <c>$KUBECONFIG</c> (a
/// list separated by <see cref="Path.PathSeparator"/>, merged so that the first file setting a value or a named
/// cluster, user or context wins; missing files are ignored), else <c>~/.kube/config</c>, else the pod's service
/// account (<c>KUBERNETES_SERVICE_HOST</c>/<c>KUBERNETES_SERVICE_PORT</c> and the token folder).
/// </summary>
internal static class ClusterAccess
{
    /// <summary>The service-account folder a pod gets mounted.</summary>
    public const string DefaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Resolves the connection from the process environment.</summary>
    public static Resolved Resolve(KubernetesTargetOptions options, TimeProvider timeProvider) =>
        Resolve(options, Environment.GetEnvironmentVariable, HomeDirectory(), timeProvider);

    /// <summary>Resolves the connection; <paramref name="environment"/> and <paramref name="home"/> stand in for the process's in tests.</summary>
    public static Resolved Resolve(KubernetesTargetOptions options, Func<string, string?> environment, string? home, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (options.InCluster)
        {
            return InCluster(options, environment, timeProvider) ?? throw new KubeConfigException(
                $"KubernetesTargetOptions.InCluster is set, but this is not a pod: {InClusterMissing(options, environment)}");
        }

        if (!string.IsNullOrEmpty(options.KubeconfigPath))
        {
            var file = new FileInfo(options.KubeconfigPath);
            if (!file.Exists)
            {
                throw new KubeConfigException($"the kubeconfig file {file.FullName} (--kubeconfig / KubernetesTargetOptions.KubeconfigPath) does not exist");
            }

            return FromFiles([file], options.Context, $"kubeconfig {file.FullName}");
        }

        var tried = new List<string>();
        var list = environment("KUBECONFIG");
        if (!string.IsNullOrWhiteSpace(list))
        {
            var files = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(static p => Path.GetFullPath(p))
                .Distinct(StringComparer.Ordinal)
                .Select(static p => new FileInfo(p))
                .ToList();
            var existing = files.Where(static f => f.Exists).ToArray();
            if (existing.Length > 0)
            {
                return FromFiles(existing, options.Context, $"$KUBECONFIG ({string.Join(Path.PathSeparator, existing.Select(static f => f.FullName))})");
            }

            tried.Add($"none of the $KUBECONFIG files exists ({string.Join(", ", files.Select(static f => f.FullName))})");
        }
        else
        {
            tried.Add("$KUBECONFIG is not set");
        }

        if (!string.IsNullOrEmpty(home))
        {
            var file = new FileInfo(Path.Combine(home, ".kube", "config"));
            if (file.Exists)
            {
                return FromFiles([file], options.Context, $"kubeconfig {file.FullName}");
            }

            tried.Add($"{file.FullName} does not exist");
        }

        if (InCluster(options, environment, timeProvider) is { } pod)
        {
            if (!string.IsNullOrEmpty(options.Context))
            {
                throw new KubeConfigException($"the context '{options.Context}' (--context / KubernetesTargetOptions.Context) was asked for, but no kubeconfig was found ({string.Join("; ", tried)}); in a pod the service account is used and has no contexts");
            }

            return pod;
        }

        tried.Add($"not in a pod ({InClusterMissing(options, environment)})");
        throw new KubeConfigException(
            $"no cluster access configured: no --kubeconfig (KubernetesTargetOptions.KubeconfigPath) given, {string.Join(", ", tried)}");
    }

    private static Resolved FromFiles(FileInfo[] files, string? context, string description)
    {
        var merged = Merge(files);
        if (!string.IsNullOrEmpty(context) && merged.Contexts?.Any(c => string.Equals(c.Name, context, StringComparison.Ordinal)) != true)
        {
            var known = merged.Contexts is null ? string.Empty : string.Join(", ", merged.Contexts.Select(static c => c.Name));
            throw new KubeConfigException($"the context '{context}' (--context / KubernetesTargetOptions.Context) is not in {description}; it has: {(known.Length == 0 ? "no contexts" : known)}");
        }

        var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, string.IsNullOrEmpty(context) ? null : context);
        var used = string.IsNullOrEmpty(context) ? merged.CurrentContext : context;
        return new Resolved(config, $"{description}, context {used ?? "(none)"}");
    }

    /// <summary>Merges kubeconfig files as kubectl does: the first file that sets current-context, or a cluster, user or context of a name, wins.</summary>
    private static K8SConfiguration Merge(FileInfo[] files)
    {
        K8SConfiguration? merged = null;
        var clusters = new List<Cluster>();
        var users = new List<User>();
        var contexts = new List<Context>();
        foreach (var file in files)
        {
            // Relative paths (certificate files) are resolved against the file that names them.
            var config = KubernetesClientConfiguration.LoadKubeConfig(file, useRelativePaths: true);
            merged ??= config;
            if (string.IsNullOrEmpty(merged.CurrentContext) && !string.IsNullOrEmpty(config.CurrentContext))
            {
                merged.CurrentContext = config.CurrentContext;
            }

            AddNew(clusters, config.Clusters, static c => c.Name);
            AddNew(users, config.Users, static u => u.Name);
            AddNew(contexts, config.Contexts, static c => c.Name);
        }

        merged!.Clusters = clusters;
        merged.Users = users;
        merged.Contexts = contexts;
        return merged;
    }

    private static void AddNew<T>(List<T> into, IEnumerable<T>? items, Func<T, string?> name)
    {
        foreach (var item in items ?? [])
        {
            if (!into.Exists(existing => string.Equals(name(existing), name(item), StringComparison.Ordinal)))
            {
                into.Add(item);
            }
        }
    }

    private static Resolved? InCluster(KubernetesTargetOptions options, Func<string, string?> environment, TimeProvider timeProvider)
    {
        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        var dir = options.ServiceAccountDirectory;
        var tokenFile = Path.Combine(dir, "token");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port) || !File.Exists(tokenFile))
        {
            return null;
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber))
        {
            throw new KubeConfigException($"KUBERNETES_SERVICE_PORT is not a port number: '{port}'");
        }

        var config = new KubernetesClientConfiguration
        {
            Host = new UriBuilder(Uri.UriSchemeHttps, host, portNumber).Uri.ToString(),
            TokenProvider = new ServiceAccountTokenProvider(tokenFile, timeProvider),
        };
        var caFile = Path.Combine(dir, "ca.crt");
        if (File.Exists(caFile))
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(caFile);
            config.SslCaCerts = certificates;
        }

        var namespaceFile = Path.Combine(dir, "namespace");
        if (File.Exists(namespaceFile))
        {
            config.Namespace = File.ReadAllText(namespaceFile).Trim();
        }

        return new Resolved(config, $"in-cluster service account ({dir}, {config.Host})");
    }

    private static string InClusterMissing(KubernetesTargetOptions options, Func<string, string?> environment)
    {
        var missing = new List<string>();
        if (string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_HOST")))
        {
            missing.Add("KUBERNETES_SERVICE_HOST is not set");
        }

        if (string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_PORT")))
        {
            missing.Add("KUBERNETES_SERVICE_PORT is not set");
        }

        var token = Path.Combine(options.ServiceAccountDirectory, "token");
        if (!File.Exists(token))
        {
            missing.Add($"{token} does not exist");
        }

        return string.Join(", ", missing);
    }

    private static string? HomeDirectory()
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetEnvironmentVariable("USERPROFILE");
        }

        return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home;
    }

    /// <summary>The chosen connection and where it came from (for messages; holds no credential).</summary>
    internal sealed record Resolved(KubernetesClientConfiguration Configuration, string Description);

    /// <summary>Reads the projected service-account token again when it may have been rotated (the kubelet renews it).</summary>
    private sealed class ServiceAccountTokenProvider(string path, TimeProvider timeProvider) : ITokenProvider
    {
        private static readonly TimeSpan ReadEvery = TimeSpan.FromMinutes(1);
        private readonly Lock _gate = new();
        private string? _token;
        private long _readAt;

        public Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                var now = timeProvider.GetTimestamp();
                if (_token is null || timeProvider.GetElapsedTime(_readAt, now) > ReadEvery)
                {
                    _token = File.ReadAllText(path).Trim();
                    _readAt = now;
                }

                return Task.FromResult(new AuthenticationHeaderValue("Bearer", _token));
            }
        }
    }
}
