using GitOps.Sdk.Manifests;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes.Applications;

/// <summary>
/// Installs the CustomResourceDefinition when asked (at start, before anything else of this package runs), then runs
/// the watcher that feeds the application source and the status writer until the host stops.
/// </summary>
internal sealed class GitOpsApplicationsHostedService : BackgroundService
{
    private readonly GitOpsApplicationWatcher _watcher;
    private readonly GitOpsApplicationStatusWriter _statusWriter;
    private readonly KubernetesResourceWriter _writer;
    private readonly GitOpsApplicationSourceOptions _options;
    private readonly ILogger _logger;

    public GitOpsApplicationsHostedService(
        GitOpsApplicationWatcher watcher,
        GitOpsApplicationStatusWriter statusWriter,
        KubernetesResourceWriter writer,
        GitOpsApplicationSourceOptions options,
        ILogger<GitOpsApplicationsHostedService> logger)
    {
        _watcher = watcher;
        _statusWriter = statusWriter;
        _writer = writer;
        _options = options;
        _logger = logger;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.InstallCrd)
        {
            await InstallCrdAsync(cancellationToken).ConfigureAwait(false);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies the shipped definition (server-side, forced, this package's field manager) and waits until it is Established.</summary>
    internal async Task InstallCrdAsync(CancellationToken cancellationToken)
    {
        var read = new ManifestReader().Read(GitOpsApplicationResource.GetCrdYaml(), GitOpsApplicationResource.CrdName + ".yaml");
        if (!read.Succeeded || read.Objects.Length != 1)
        {
            throw new InvalidOperationException($"the embedded CustomResourceDefinition {GitOpsApplicationResource.CrdName} does not read as one object: {string.Join("; ", read.Errors)}");
        }

        var crd = read.Objects[0];
        var applied = await _writer.ApplyAsync(new ApplyRequest { Desired = crd, Force = true, FieldManager = _options.FieldManager }, cancellationToken).ConfigureAwait(false);
        if (applied.Outcome == ApplyOutcome.Failed)
        {
            throw new InvalidOperationException($"installing the CustomResourceDefinition {GitOpsApplicationResource.CrdName} (GitOpsApplicationSourceOptions.InstallCrd) failed: {applied.Message}");
        }

        var established = await _writer.WaitEstablishedAsync(crd, cancellationToken).ConfigureAwait(false);
        if (!established.IsReady)
        {
            throw new InvalidOperationException($"installing the CustomResourceDefinition {GitOpsApplicationResource.CrdName} (GitOpsApplicationSourceOptions.InstallCrd) failed: {established.Message}");
        }

        Log.CrdInstalled(_logger, GitOpsApplicationResource.CrdName, applied.Outcome.ToString());
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watch = _watcher.RunAsync(stoppingToken);
        return _options.WriteStatus ? Task.WhenAll(watch, _statusWriter.RunAsync(stoppingToken)) : watch;
    }
}
