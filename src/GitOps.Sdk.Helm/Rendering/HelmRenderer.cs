using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitOps.Sdk.Rendering.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Helm.Rendering;

/// <summary>
/// Renders a Helm chart directory with the real <c>helm template</c> (Helm 3 or Helm 4), offline: no repository access,
/// no dependency download, isolated Helm home folders per run, a timeout that kills the process tree.
/// </summary>
/// <remarks>
/// <para>
/// The application's Helm settings are its <see cref="HelmRenderOptions"/> (in <see cref="RenderOptions.RendererOptions"/>
/// under <c>helm</c>). Values are merged in this order: the chart's own <c>values.yaml</c>, then
/// <see cref="HelmRenderOptions.ValueFiles"/> (paths relative to the chart folder that must stay inside the artifact), then
/// the inline <see cref="HelmRenderOptions.Values"/>.
/// </para>
/// <para>
/// The output goes through the engine's <see cref="IManifestReader"/>, one file per template (from Helm's <c># Source:</c> comments), so an
/// error names the template file. Objects annotated <c>helm.sh/hook</c> with an install or upgrade event stay in the
/// desired state as they are, and the engine runs them as sync hooks (<c>pre-install</c>/<c>pre-upgrade</c> as PreSync,
/// <c>post-install</c>/<c>post-upgrade</c> as PostSync, docs/sync-hooks.md); hooks of other events only (test, delete,
/// rollback) are left out, each logged by kind, name and events. With <see cref="HelmRenderOptions.ApplyHooks"/> every
/// hook is applied as a regular object instead, marked with <see cref="WellKnown.HelmHookAnnotation"/>.
/// </para>
/// <para>
/// Helm 3 and Helm 4 take the same <c>template</c> flags used here. Flags that would reach out of the sandbox
/// (<c>--repo</c>, <c>--dependency-update</c>, <c>--post-renderer</c>, <c>--validate</c>) are refused everywhere; an
/// application's own <see cref="RenderOptions.ExtraArguments"/> may only use value and output-shaping flags
/// (<c>--set</c>, <c>--set-string</c>, <c>--set-json</c>, <c>--skip-tests</c>, <c>--show-only</c>, …), never flags that read
/// or write host files such as <c>--set-file</c> or <c>--output-dir</c>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// services.AddGitOps().AddHelmRenderer(o =&gt; o.HelmPath = "/usr/local/bin/helm");
/// </code>
/// </example>
public sealed partial class HelmRenderer : IRenderer
{
    /// <summary>The annotation Helm uses to mark hooks.</summary>
    public const string HookAnnotation = "helm.sh/hook";

    private readonly HelmRendererOptions _options;
    private readonly IManifestReader _manifests;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The renderer settings.</param>
    /// <param name="manifests">Reads the tool's output (the engine registers it with <c>AddGitOps()</c>).</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for timeouts; the system clock when <see langword="null"/>.</param>
    public HelmRenderer(IOptions<HelmRendererOptions> options, IManifestReader manifests, ILogger<HelmRenderer>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(manifests);
        _options = options.Value;
        _manifests = manifests;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Name => "helm";

    /// <summary>Gets the detection: <c>Chart.yaml</c>, or an artifact of kind <see cref="ArtifactKinds.HelmChart"/> (an OCI or Helm repository chart), at <see cref="RendererDetection.HelmPriority"/>.</summary>
    public RendererDetection Detection { get; } = new() { MarkerFiles = ["Chart.yaml"], ArtifactKinds = [ArtifactKinds.HelmChart], Priority = RendererDetection.HelmPriority };

    /// <inheritdoc />
    public bool CanRender(SourceArtifact artifact, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return Detection.Match(artifact) is not null;
    }

    /// <inheritdoc />
    public async ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(options);
        var helmOptions = options.GetHelmOptions();
        var chartDir = artifact.ContentDirectory;
        var chartPath = artifact.Path.Replace('\\', '/').Trim('/');
        var chartFile = chartPath.Length == 0 ? "Chart.yaml" : chartPath + "/Chart.yaml";
        if (!File.Exists(Path.Combine(chartDir, "Chart.yaml")))
        {
            return Fail(new ManifestError($"no Chart.yaml in '{(chartPath.Length == 0 ? "." : chartPath)}': not a Helm chart", chartFile) { Code = "helm-not-a-chart" });
        }

        var helm = _options.HelmPath ?? ExternalTool.FindOnPath("helm");
        if (helm is null || !File.Exists(helm))
        {
            return Fail(new ManifestError(
                helm is null ? "helm was not found on PATH; install Helm 3 or 4 or set HelmRendererOptions.HelmPath" : $"helm was not found at '{helm}' (HelmRendererOptions.HelmPath)")
            { Code = "helm-not-found" });
        }

        if (CheckArguments(_options.ExtraArguments, options.ExtraArguments) is { } refused)
        {
            return Fail(refused);
        }

        var scratch = Path.Combine(_options.ScratchDirectory ?? Path.GetTempPath(), "gitops-helm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        try
        {
            var arguments = new List<string> { "template", helmOptions.ReleaseName ?? options.ApplicationName, chartDir };
            if (!string.IsNullOrEmpty(options.Namespace))
            {
                arguments.Add("--namespace");
                arguments.Add(options.Namespace);
            }

            foreach (var valueFile in helmOptions.ValueFiles.IsDefault ? [] : helmOptions.ValueFiles)
            {
                var resolved = ResolveValueFile(artifact, valueFile, out var error);
                if (resolved is null)
                {
                    return Fail(error!);
                }

                arguments.Add("--values");
                arguments.Add(resolved);
            }

            if (!string.IsNullOrWhiteSpace(helmOptions.Values))
            {
                var inline = Path.Combine(scratch, "inline-values.yaml");
                await File.WriteAllTextAsync(inline, helmOptions.Values, cancellationToken).ConfigureAwait(false);
                arguments.Add("--values");
                arguments.Add(inline);
            }

            var kubeVersion = helmOptions.KubeVersion ?? _options.DefaultKubeVersion;
            if (!string.IsNullOrEmpty(kubeVersion))
            {
                arguments.Add("--kube-version");
                arguments.Add(kubeVersion);
            }

            foreach (var apiVersion in _options.DefaultApiVersions.Concat(helmOptions.ApiVersions.IsDefault ? [] : helmOptions.ApiVersions).Distinct(StringComparer.Ordinal))
            {
                arguments.Add("--api-versions");
                arguments.Add(apiVersion);
            }

            if (helmOptions.IncludeCrds)
            {
                arguments.Add("--include-crds");
            }

            arguments.AddRange(_options.ExtraArguments);
            arguments.AddRange(options.ExtraArguments);

            if (!_options.AllowRemoteSchemaReferences && ChartSchemaReferences.FindOutsideReference(chartDir, chartPath) is { } schemaError)
            {
                return Fail(schemaError);
            }

            var command = await ExternalTool.IsolateAsync(helm, arguments, _options.NetworkIsolation, _timeProvider, cancellationToken).ConfigureAwait(false);
            if (command.UnavailableReason is { } unavailable)
            {
                if (_options.NetworkIsolation == ToolNetworkIsolation.Required)
                {
                    return Fail(new ManifestError($"helm must run without network (HelmRendererOptions.NetworkIsolation = Required) but isolation is unavailable: {unavailable}") { Code = "render-isolation-unavailable" });
                }

                Log.NetworkIsolationUnavailable(_logger, options.ApplicationName, unavailable);
            }

            Log.RenderingChart(_logger, chartPath.Length == 0 ? "." : chartPath, arguments[1], options.ApplicationName, artifact.Revision);
            var result = await ExternalTool.RunAsync(
                command.FileName,
                command.Arguments,
                chartDir,
                HelmEnvironment(scratch),
                options.Timeout,
                _options.MaxOutputBytes,
                _timeProvider,
                cancellationToken).ConfigureAwait(false);

            if (result.StartFailed)
            {
                return Fail(new ManifestError($"helm could not be started ('{helm}'): {result.StandardError}") { Code = "helm-not-found" });
            }

            if (result.TimedOut)
            {
                Log.HelmTimedOut(_logger, options.ApplicationName, artifact.Revision, options.Timeout);
                return Fail(new ManifestError($"helm template did not finish within {options.Timeout} and was stopped", chartFile) { Code = "render-timeout" });
            }

            if (result.OutputTooLarge)
            {
                return Fail(new ManifestError($"helm template wrote more than {_options.MaxOutputBytes} bytes and was stopped", chartFile) { Code = "render-output-too-large" });
            }

            if (result.ExitCode != 0)
            {
                Log.HelmFailed(_logger, options.ApplicationName, artifact.Revision, result.ExitCode);
                return Fail(ToError(result, chartPath, chartFile));
            }

            return Read(result.StandardOutput, chartPath, options, helmOptions);
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    /// <summary>Whether the hook's events include one the engine runs (install and upgrade hooks; not test, delete or rollback hooks).</summary>
    private static bool RunsAsSyncHook(string events) =>
        events.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(static e => e.ToLowerInvariant() is "pre-install" or "pre-upgrade" or "post-install" or "post-upgrade");

    private static RenderResult Fail(ManifestError error) => RenderResult.Failure([error], "helm");

    private RenderResult Read(string output, string chartPath, RenderOptions options, HelmRenderOptions helmOptions)
    {
        var reader = _manifests;
        var objects = ImmutableArray.CreateBuilder<KubeObject>();
        var hooks = 0;
        var errors = new List<ManifestError>();
        foreach (var (source, yaml) in HelmTemplateOutput.Split(output))
        {
            var read = reader.Read(yaml, HelmTemplateOutput.ToArtifactPath(source, chartPath));
            errors.AddRange(read.Errors);
            if (errors.Count > 0)
            {
                continue;
            }

            foreach (var obj in read.Objects)
            {
                var hook = obj.GetAnnotation(HookAnnotation);
                if (hook is null)
                {
                    objects.Add(obj);
                    continue;
                }

                hooks++;
                if (helmOptions.ApplyHooks)
                {
                    objects.Add(MarkHook(obj, hook));
                }
                else if (RunsAsSyncHook(hook))
                {
                    // The engine runs it as a PreSync or PostSync hook (helm.sh/hook, hook-weight and hook-delete-policy).
                    objects.Add(obj);
                }
                else
                {
                    Log.HookLeftOut(_logger, obj.Kind, obj.Name, hook, options.ApplicationName);
                }
            }
        }

        if (errors.Count > 0)
        {
            return RenderResult.Failure(errors, Name);
        }

        Log.Rendered(_logger, objects.Count, hooks, options.ApplicationName);
        return RenderResult.Success(new DesiredState { Objects = objects.ToImmutable() }, Name);
    }
}
