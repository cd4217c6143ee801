using System.Text.RegularExpressions;
using GitOps.Sdk.Rendering.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Kustomize.Rendering;

/// <summary>
/// Renders a kustomization with <c>kustomize build</c> when a standalone kustomize is available, else with
/// <c>kubectl kustomize</c>. The output goes through the engine's <see cref="IManifestReader"/> like every renderer's.
/// </summary>
/// <remarks>
/// The build runs in the kustomization's folder with a timeout that kills the process tree; its standard error is the
/// error message when it fails. Kustomize's default load restrictor (root only) stays on unless
/// <see cref="KustomizeRendererOptions.LoadRestrictor"/> says otherwise. Remote resources, bases and components and
/// <c>helmCharts</c> with a <c>repo</c> are refused before the build unless
/// <see cref="KustomizeRendererOptions.AllowRemoteResources"/> is set, and the build runs without network where the platform
/// allows it (<see cref="KustomizeRendererOptions.NetworkIsolation"/>).
/// </remarks>
/// <example>
/// <code>
/// services.AddGitOps().AddKustomizeRenderer(o =&gt; o.EnableHelm = true);
/// </code>
/// </example>
public sealed partial class KustomizeRenderer : IRenderer
{
    /// <summary>The file names that mark a kustomization, in the order Kustomize looks for them.</summary>
    public static readonly IReadOnlyList<string> KustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    /// <summary>
    /// Flags an application may pass in <see cref="RenderOptions.ExtraArguments"/>. Everything else (load restrictor,
    /// <c>--enable-helm</c>, <c>--helm-command</c>, plug-ins, exec functions, <c>--output</c>) could read host files, run
    /// programs or write files, so only the host may enable it through <see cref="KustomizeRendererOptions"/>.
    /// </summary>
    private static readonly string[] ApplicationArguments = ["--reorder", "--enable-managedby-label", "--helm-api-versions", "--helm-kube-version", "--stack-trace"];

    private readonly KustomizeRendererOptions _options;
    private readonly IManifestReader _manifests;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The renderer settings.</param>
    /// <param name="manifests">Reads the tool's output (the engine registers it with <c>AddGitOps()</c>).</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for timeouts; the system clock when <see langword="null"/>.</param>
    public KustomizeRenderer(IOptions<KustomizeRendererOptions> options, IManifestReader manifests, ILogger<KustomizeRenderer>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(manifests);
        _options = options.Value;
        _manifests = manifests;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Name => "kustomize";

    /// <summary>Gets the detection: the <see cref="KustomizationFileNames"/>, at <see cref="RendererDetection.KustomizePriority"/> (above Helm's, so a kustomization beside a <c>Chart.yaml</c> is built by Kustomize).</summary>
    public RendererDetection Detection { get; } = new() { MarkerFiles = [.. KustomizationFileNames], Priority = RendererDetection.KustomizePriority };

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
        var directory = artifact.ContentDirectory;
        var relative = artifact.Path.Replace('\\', '/').Trim('/');
        var kustomization = FindKustomization(directory);
        if (kustomization is null)
        {
            return Fail(new ManifestError(
                $"no kustomization.yaml, kustomization.yml or Kustomization in '{(relative.Length == 0 ? "." : relative)}'",
                relative.Length == 0 ? "kustomization.yaml" : relative + "/kustomization.yaml") { Code = "kustomize-no-kustomization" });
        }

        var kustomizationFile = relative.Length == 0 ? kustomization : relative + "/" + kustomization;
        var previousTakesValue = false;
        foreach (var argument in options.ExtraArguments)
        {
            if (!argument.StartsWith('-') && previousTakesValue)
            {
                previousTakesValue = false;
                continue;
            }

            var parts = argument.Split('=', 2);
            if (!ApplicationArguments.Contains(parts[0], StringComparer.Ordinal))
            {
                return Fail(new ManifestError(
                    $"the kustomize argument '{parts[0]}' is not allowed in an application's arguments (allowed: {string.Join(", ", ApplicationArguments)}); "
                    + "the host enables load restrictions, Helm and plug-ins through KustomizeRendererOptions")
                { Code = "kustomize-argument-refused" });
            }

            previousTakesValue = parts.Length == 1 && parts[0] is not ("--enable-managedby-label" or "--stack-trace");
        }

        var (tool, arguments) = Command();
        if (tool is null)
        {
            return Fail(new ManifestError("neither kustomize nor kubectl was found; install one or set KustomizeRendererOptions.KustomizePath or KubectlPath") { Code = "kustomize-not-found" });
        }

        arguments.Add(directory);
        if (_options.LoadRestrictor is { Length: > 0 } restrictor)
        {
            arguments.Add("--load-restrictor=" + restrictor);
        }

        if (_options.EnableHelm)
        {
            arguments.Add("--enable-helm");
            if (_options.HelmCommand is { Length: > 0 } helm)
            {
                arguments.Add("--helm-command=" + helm);
            }
        }

        arguments.AddRange(_options.ExtraArguments);
        arguments.AddRange(options.ExtraArguments);

        var timeout = _options.MaxTimeout is { } max && max < options.Timeout ? max : options.Timeout;
        Log.Building(_logger, relative.Length == 0 ? "." : relative, Path.GetFileName(tool), options.ApplicationName, artifact.Revision);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["NO_COLOR"] = "1",
        };
        if (KustomizationRemoteCheck.Find(directory, artifact.RootDirectory, _options.AllowRemoteResources, _options.EnableHelm) is { } remote)
        {
            return Fail(remote);
        }

        var command = await ExternalTool.IsolateAsync(tool, arguments, _options.NetworkIsolation, _timeProvider, cancellationToken).ConfigureAwait(false);
        if (command.UnavailableReason is { } unavailable)
        {
            if (_options.NetworkIsolation == ToolNetworkIsolation.Required)
            {
                return Fail(new ManifestError($"kustomize must run without network (KustomizeRendererOptions.NetworkIsolation = Required) but isolation is unavailable: {unavailable}", kustomizationFile) { Code = "render-isolation-unavailable" });
            }

            Log.NetworkIsolationUnavailable(_logger, options.ApplicationName, unavailable);
        }

        var result = await ExternalTool.RunAsync(command.FileName, command.Arguments, directory, environment, timeout, _options.MaxOutputBytes, _timeProvider, cancellationToken).ConfigureAwait(false);
        if (result.StartFailed)
        {
            return Fail(new ManifestError($"'{tool}' could not be started: {result.StandardError}") { Code = "kustomize-not-found" });
        }

        if (result.TimedOut)
        {
            Log.TimedOut(_logger, options.ApplicationName, artifact.Revision, timeout);
            return Fail(new ManifestError($"kustomize build did not finish within {timeout} and was stopped", kustomizationFile) { Code = "render-timeout" });
        }

        if (result.OutputTooLarge)
        {
            return Fail(new ManifestError($"kustomize build wrote more than {_options.MaxOutputBytes} bytes and was stopped", kustomizationFile) { Code = "render-output-too-large" });
        }

        if (result.ExitCode != 0)
        {
            Log.BuildFailed(_logger, options.ApplicationName, artifact.Revision, result.ExitCode);
            var stderr = Unwrap(ExternalTool.TrimError(result.StandardError));

            // Paths in kustomize's messages are absolute; show them relative to the artifact root.
            stderr = stderr.Replace(Path.GetFullPath(artifact.RootDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal);
            return Fail(new ManifestError($"kustomize build failed (exit {result.ExitCode}): {(stderr.Length == 0 ? "(no error output)" : stderr)}", kustomizationFile) { Code = "kustomize-build-failed" });
        }

        var read = _manifests.Read(result.StandardOutput, kustomizationFile);
        return read.Errors.IsDefaultOrEmpty
            ? RenderResult.Success(new DesiredState { Objects = read.Objects }, Name)
            : RenderResult.Failure(read.Errors, Name);
    }

    /// <summary>Returns the kustomization file name present in <paramref name="directory"/>, or <see langword="null"/>.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The file name, or <see langword="null"/>.</returns>
    internal static string? FindKustomization(string directory) =>
        KustomizationFileNames.FirstOrDefault(name => File.Exists(Path.Combine(directory, name)));

    private static RenderResult Fail(ManifestError error) => RenderResult.Failure([error], "kustomize");

    /// <summary>kubectl wraps the message in a klog line (<c>E1127 … run.go:72] "command failed" err="…"</c>); keep the message.</summary>
    private static string Unwrap(string stderr)
    {
        var match = KlogLine().Match(stderr);
        if (!match.Success)
        {
            return stderr;
        }

        var message = match.Groups["err"].Value;
        try
        {
            return Regex.Unescape(message);
        }
        catch (ArgumentException)
        {
            return message;
        }
    }

    [GeneratedRegex("^[EWIF]\\d{4} [0-9:.]+\\s+\\d+ [^\\]]+\\] \"command failed\" err=\"(?<err>.*)\"$", RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex KlogLine();

    private (string? Tool, List<string> Arguments) Command()
    {
        if (_options.KustomizePath is { Length: > 0 } explicitKustomize)
        {
            return (explicitKustomize, ["build"]);
        }

        if (_options.KubectlPath is null && ExternalTool.FindOnPath("kustomize") is { } kustomize)
        {
            return (kustomize, ["build"]);
        }

        var kubectl = _options.KubectlPath ?? ExternalTool.FindOnPath("kubectl");
        return (kubectl, ["kustomize"]);
    }
}
