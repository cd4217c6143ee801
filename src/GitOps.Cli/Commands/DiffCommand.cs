using System.CommandLine;
using System.Text.Json;
using GitOps.Sdk;
using GitOps.Sdk.Diff;
using GitOps.Sdk.Hooks;
using GitOps.Sdk.Manifests;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops diff --desired &lt;file or folder&gt; [--live &lt;file.json&gt; | --kubeconfig &lt;file&gt; --context &lt;name&gt;]
/// [--namespace ns] [--application name] [--last-applied &lt;file.yaml&gt;] [--output text|json] [--no-color]</c>: compares
/// desired manifests with live objects and prints the drift. The live objects come from a file
/// (<c>kubectl get -o json --show-managed-fields</c> output) or, without <c>--live</c>, from the cluster, read now
/// like <c>kubectl diff</c> does; <c>--application</c> adds the objects that application's inventory holds and the
/// manifests no longer declare, as prunes. Exit code 0 = no drift, 1 = drift, 2 = error.
/// </summary>
internal sealed class DiffCommand : ICliCommand
{
    internal const int NoDrift = 0;
    internal const int Drift = 1;
    internal const int Error = 2;

    public Command Create()
    {
        var desired = new Option<FileSystemInfo>("--desired", "-f")
        {
            Description = "The desired objects: a YAML (or JSON) file with one or more documents, or a folder of them (read recursively).",
            Required = true,
        };
        var live = new Option<FileInfo?>("--live")
        {
            Description = "The live objects as JSON: one object, a 'kind: List' (kubectl get -o json), or null when the object is missing. Without it, the live objects are read from the cluster.",
        };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "The kubeconfig file, when the live objects are read from the cluster; defaults as for kubectl ($KUBECONFIG, ~/.kube/config, in-cluster)." };
        var context = new Option<string?>("--context") { Description = "The kubeconfig context; defaults to the current context." };
        var @namespace = new Option<string?>("--namespace", "-n") { Description = "The namespace of namespaced objects that declare none (default: default)." };
        var application = new Option<string?>("--application") { Description = "With the cluster: also list the objects this application's inventory holds and the manifests no longer declare, as prunes." };
        var noColor = new Option<bool>("--no-color") { Description = "Never colour the output (it is coloured only when it is a terminal and NO_COLOR is unset)." };
        var lastApplied = new Option<FileInfo?>("--last-applied")
        {
            Description = "What was applied last time (YAML), for removed fields; without it, the live managedFields of --field-manager are used.",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The output format: text (a unified diff like kubectl diff) or json.",
            DefaultValueFactory = _ => "text",
        };
        output.AcceptOnlyFromAmong("text", "json");
        var fieldManager = new Option<string>("--field-manager")
        {
            Description = "The field manager whose managedFields are the last applied state.",
            DefaultValueFactory = _ => DiffOptions.Default.FieldManager,
        };

        var command = new Command("diff", "Show drift between desired manifests and live objects (a file, or the cluster like kubectl diff); exit code 0 = no drift, 1 = drift, 2 = error.")
        {
            desired, live, kubeconfig, context, @namespace, application, lastApplied, output, fieldManager, noColor,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var request = new Request(
                parseResult.GetValue(desired)!,
                parseResult.GetValue(live),
                parseResult.GetValue(lastApplied),
                parseResult.GetValue(output) ?? "text",
                parseResult.GetValue(fieldManager) ?? DiffOptions.Default.FieldManager)
            {
                Kubeconfig = parseResult.GetValue(kubeconfig),
                Context = parseResult.GetValue(context),
                Namespace = parseResult.GetValue(@namespace),
                Application = parseResult.GetValue(application),
                Color = !parseResult.GetValue(noColor) && CliColor.Enabled(stdout),
            };
            try
            {
                return await RunAsync(request, stdout, cancellationToken).ConfigureAwait(false);
            }
            catch (InputException ex)
            {
                await stderr.WriteLineAsync("gitops diff: " + CliText.Line(ex.Message)).ConfigureAwait(false);
                return Error;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await stderr.WriteLineAsync("gitops diff: interrupted").ConfigureAwait(false);
                return Error;
            }
#pragma warning disable CA1031 // A cluster that cannot be read is exit code 2 with a message; a stack trace helps no CLI user.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await stderr.WriteLineAsync("gitops diff: cannot read the live objects from the cluster: " + CliText.Line(SafeUrl.Redact(ex.Message))).ConfigureAwait(false);
                return Error;
            }
        });
        return command;
    }

    internal sealed record Request(FileSystemInfo Desired, FileInfo? Live, FileInfo? LastApplied, string Output, string FieldManager)
    {
        public string? Kubeconfig { get; init; }

        public string? Context { get; init; }

        public string? Namespace { get; init; }

        public string? Application { get; init; }

        public bool Color { get; init; }
    }

    internal static async Task<int> RunAsync(Request r, TextWriter stdout, CancellationToken cancellationToken)
    {
        // Sync hooks (and objects a hook annotation leaves out) are never drift, as in the engine.
        IReadOnlyList<KubeObject> desired = [.. ReadDesired(r.Desired).Where(SyncHookFilter.IsRegular)];
        List<KubeObject> live;
        if (r.Live is not null)
        {
            if (r.Application is not null || r.Kubeconfig is not null || r.Context is not null)
            {
                throw new InputException("--live compares with a file; --kubeconfig, --context and --application read the cluster: give one or the other");
            }

            live = [.. ReadLive(r.Live).Where(SyncHookFilter.IsRegular)];
        }
        else
        {
            desired = await PrepareAsync(desired, r.Namespace ?? "default", r.Application, cancellationToken).ConfigureAwait(false);
            live = await ClusterLive.ReadAsync(desired, r, cancellationToken).ConfigureAwait(false);
        }

        var lastApplied = r.LastApplied is null ? [] : ReadManifests(r.LastApplied);
        var fieldManager = r.FieldManager;
        var output = r.Output;
        var options = new DiffOptions
        {
            FieldManager = fieldManager,

            // Read from the cluster without --application: the engine's ownership marks on live objects are not
            // drift of the files (with --application the files carry them, so they are compared).
            IgnoreRules = r.Live is null && r.Application is null
                ? [new IgnoreRule { JsonPointers = [OwnershipPointer(WellKnown.ApplicationLabel, "labels"), OwnershipPointer(WellKnown.TrackingIdAnnotation, "annotations")] }]
                : [],
        };
        var engine = new DiffEngine();

        var diffs = new List<ResourceDiff>();
        var unmatchedLive = new List<KubeObject>(live);
        foreach (var d in desired)
        {
            var l = TakeMatch(unmatchedLive, d.Key);
            var last = lastApplied.FirstOrDefault(a => SameObject(a.Key, d.Key));
            diffs.Add(engine.Diff(d, l, last, options));
        }

        // Live objects no desired object declares would be pruned.
        foreach (var l in unmatchedLive)
        {
            diffs.Add(engine.Diff(null, l, null, options));
        }

        var drift = diffs.Exists(d => d.HasDrift);
        if (output == "json")
        {
            WriteJson(stdout, drift, diffs);
        }
        else
        {
            WriteText(stdout, engine, diffs, r.Color);
        }

        return drift ? Drift : NoDrift;
    }

    private static string OwnershipPointer(string name, string map) => $"/metadata/{map}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";

    private static IReadOnlyList<KubeObject> ReadDesired(FileSystemInfo desired)
    {
        if (desired is DirectoryInfo folder)
        {
            if (!folder.Exists)
            {
                throw new InputException($"{folder.FullName}: no such file or folder");
            }

            var files = folder.EnumerateFiles("*", SearchOption.AllDirectories)
                .Where(f => f.Extension is ".yaml" or ".yml" or ".json")
                .OrderBy(f => f.FullName, StringComparer.Ordinal)
                .ToList();
            return [.. files.SelectMany(f => ReadManifests(f, Path.GetRelativePath(folder.FullName, f.FullName)))];
        }

        if (!desired.Exists && Directory.Exists(desired.FullName))
        {
            return ReadDesired(new DirectoryInfo(desired.FullName));
        }

        return ReadManifests((FileInfo)desired);
    }

    // As kubectl does, a namespaced object that names no namespace is in the given (or default) namespace; with an
    // application, the objects carry its ownership marks as the engine applies them, so those are not reported as drift.
    private static async Task<IReadOnlyList<KubeObject>> PrepareAsync(IReadOnlyList<KubeObject> desired, string ns, string? application, CancellationToken cancellationToken)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new GitOps.Sdk.Rendering.RenderStageOptions());
        var state = new DesiredState { Objects = [.. desired] };
        var context = new RenderTransformContext
        {
            Artifact = new SourceArtifact { Source = new SourceReference { Url = "file:" }, Revision = "files", Digest = "files", RootDirectory = "." },
            Options = new RenderOptions { Namespace = ns, ApplicationName = application ?? string.Empty },
        };
        state = (await new GitOps.Sdk.Rendering.DefaultNamespaceTransform(options).TransformAsync(state, context, cancellationToken).ConfigureAwait(false)).State;
        if (application is not null)
        {
            state = (await new GitOps.Sdk.Rendering.OwnershipTransform(options).TransformAsync(state, context, cancellationToken).ConfigureAwait(false)).State;
        }

        return state.Objects;
    }

    private static KubeObject? TakeMatch(List<KubeObject> live, ResourceKey key)
    {
        var index = live.FindIndex(l => l.Key == key);
        if (index < 0 && key.Namespace.Length == 0)
        {
            // A desired object without a namespace gets one from the server (or the kubectl context): pair it by the rest
            // of its key when that is unambiguous.
            var candidates = live.Select((l, i) => (l, i)).Where(p => SameObject(p.l.Key, key)).ToList();
            index = candidates.Count == 1 ? candidates[0].i : -1;
        }

        if (index < 0)
        {
            return null;
        }

        var match = live[index];
        live.RemoveAt(index);
        return match;
    }

    private static bool SameObject(ResourceKey a, ResourceKey b) =>
        a.Group == b.Group && a.Kind == b.Kind && a.Name == b.Name
        && (a.Namespace == b.Namespace || a.Namespace.Length == 0 || b.Namespace.Length == 0);

    private static IReadOnlyList<KubeObject> ReadManifests(FileInfo file, string? displayName = null)
    {
        if (!file.Exists)
        {
            throw new InputException($"{file.FullName}: no such file or folder");
        }

        var result = new ManifestReader().ReadFile(file.FullName, displayName ?? file.Name);
        if (!result.Succeeded)
        {
            throw new InputException(string.Join(Environment.NewLine, result.Errors.Select(e => e.ToString())));
        }

        return result.Objects;
    }

    private static List<KubeObject> ReadLive(FileInfo file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{file.Name}: {ex.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Null:
                    return [];
                case JsonValueKind.Object when IsList(root):
                    var objects = new List<KubeObject>();
                    var index = 0;
                    foreach (var item in root.GetProperty("items").EnumerateArray())
                    {
                        objects.Add(item.ValueKind == JsonValueKind.Object
                            ? KubeObject.FromElement(item)
                            : throw new InputException($"{file.Name}: items[{index}] is {item.ValueKind}, not an object"));
                        index++;
                    }

                    return objects;
                case JsonValueKind.Object:
                    return [KubeObject.Parse(bytes)];
                default:
                    throw new InputException($"{file.Name}: expected a JSON object, a List or null, found {root.ValueKind}");
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new InputException($"{file.Name}: {ex.Message}");
        }
    }

    private static bool IsList(JsonElement root) =>
        root.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String
        && kind.GetString() is { } k && k.EndsWith("List", StringComparison.Ordinal)
        && root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array;

    private static void WriteJson(TextWriter stdout, bool drift, List<ResourceDiff> diffs)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("drift", drift);
            writer.WriteStartArray("objects");
            foreach (var diff in diffs)
            {
                writer.WriteStartObject();
                writer.WriteString("key", diff.Key.ToString());
                writer.WriteString("action", ActionName(diff.Action));
                writer.WriteStartArray("paths");
                foreach (var change in diff.Changes)
                {
                    writer.WriteStringValue(change.Path);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("changes");
                foreach (var change in diff.Changes)
                {
                    writer.WriteStartObject();
                    writer.WriteString("path", change.Path);
                    writer.WriteString("kind", change.Kind switch
                    {
                        FieldChangeKind.Added => "added",
                        FieldChangeKind.Removed => "removed",
                        _ => "changed",
                    });
                    WriteJsonText(writer, "desired", change.DesiredValue);
                    WriteJsonText(writer, "live", change.LiveValue);
                    if (change.Attribution is { } a)
                    {
                        writer.WriteStartObject("attribution");
                        writer.WriteString("manager", a.Manager);
                        writer.WriteString("operation", a.Operation);
                        if (a.Time is { } time)
                        {
                            writer.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
                        }

                        if (a.Subresource is { } sub)
                        {
                            writer.WriteString("subresource", sub);
                        }

                        writer.WriteEndObject();
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>Writes a change value as JSON (values are JSON text); a masked Secret value stays the string <c>***</c>.</summary>
    private static void WriteJsonText(Utf8JsonWriter writer, string name, string? json)
    {
        if (json is null)
        {
            writer.WriteNull(name);
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            writer.WritePropertyName(name);
            doc.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteString(name, json);
        }
    }

    private static void WriteText(TextWriter stdout, DiffEngine engine, List<ResourceDiff> diffs, bool color)
    {
        foreach (var diff in diffs)
        {
            if (!diff.HasDrift)
            {
                continue;
            }

            stdout.WriteLine(CliColor.Paint(CliText.Line($"# {diff.Key}: {ActionName(diff.Action)}"), CliColor.Bold, color));
            foreach (var change in diff.Changes)
            {
                if (change.Path == "/")
                {
                    continue;
                }

                stdout.WriteLine(CliText.Line($"#   {change}"));
            }

            stdout.Write(CliColor.UnifiedDiff(CliText.Lines(engine.FormatUnified(diff)), color));
        }
    }

    private static string ActionName(DiffAction action) => action switch
    {
        DiffAction.Create => "create",
        DiffAction.Update => "update",
        DiffAction.Prune => "prune",
        _ => "unchanged",
    };

    /// <summary>A problem with the command's inputs, reported on stderr with exit code 2.</summary>
    internal sealed class InputException(string message) : Exception(message);
}
