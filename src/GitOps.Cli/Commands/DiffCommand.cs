using System.CommandLine;
using System.Text.Json;
using GitOps.Sdk;
using GitOps.Sdk.Diff;
using GitOps.Sdk.Manifests;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops diff --desired &lt;file.yaml&gt; --live &lt;file.json&gt; [--last-applied &lt;file.yaml&gt;] [--output text|json]</c>:
/// compares desired manifests with live objects (<c>kubectl get -o json --show-managed-fields</c> output) and prints the
/// drift. Exit code 0 = no drift, 1 = drift, 2 = error.
/// </summary>
internal sealed class DiffCommand : ICliCommand
{
    internal const int NoDrift = 0;
    internal const int Drift = 1;
    internal const int Error = 2;

    public Command Create()
    {
        var desired = new Option<FileInfo>("--desired")
        {
            Description = "The desired objects: a YAML (or JSON) file with one or more documents.",
            Required = true,
        };
        var live = new Option<FileInfo>("--live")
        {
            Description = "The live objects as JSON: one object, a 'kind: List' (kubectl get -o json), or null when the object is missing.",
            Required = true,
        };
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

        var command = new Command("diff", "Show drift between desired manifests and live objects; exit code 0 = no drift, 1 = drift, 2 = error.")
        {
            desired, live, lastApplied, output, fieldManager,
        };
        command.SetAction(parseResult =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                return Run(
                    parseResult.GetValue(desired)!,
                    parseResult.GetValue(live)!,
                    parseResult.GetValue(lastApplied),
                    parseResult.GetValue(output) ?? "text",
                    parseResult.GetValue(fieldManager) ?? DiffOptions.Default.FieldManager,
                    stdout,
                    stderr);
            }
            catch (InputException ex)
            {
                stderr.WriteLine("gitops diff: " + CliText.Line(ex.Message));
                return Error;
            }
        });
        return command;
    }

    private static int Run(FileInfo desiredFile, FileInfo liveFile, FileInfo? lastAppliedFile, string output, string fieldManager, TextWriter stdout, TextWriter stderr)
    {
        var desired = ReadManifests(desiredFile);
        var live = ReadLive(liveFile);
        var lastApplied = lastAppliedFile is null ? [] : ReadManifests(lastAppliedFile);
        var options = new DiffOptions { FieldManager = fieldManager };
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
            WriteText(stdout, engine, diffs);
        }

        _ = stderr;
        return drift ? Drift : NoDrift;
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

    private static IReadOnlyList<KubeObject> ReadManifests(FileInfo file)
    {
        var result = new ManifestReader().ReadFile(file.FullName, file.Name);
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

    private static void WriteText(TextWriter stdout, DiffEngine engine, List<ResourceDiff> diffs)
    {
        foreach (var diff in diffs)
        {
            if (!diff.HasDrift)
            {
                continue;
            }

            stdout.WriteLine(CliText.Line($"# {diff.Key}: {ActionName(diff.Action)}"));
            foreach (var change in diff.Changes)
            {
                if (change.Path == "/")
                {
                    continue;
                }

                var by = change.Attribution is { } a ? $" (live value by {a})" : string.Empty;
                stdout.WriteLine(CliText.Line($"#   {change.Path}: {change.Kind.ToString().ToLowerInvariant()}, live {change.LiveValue ?? "absent"} -> desired {change.DesiredValue ?? "absent"}{by}"));
            }

            stdout.Write(CliText.Lines(engine.FormatUnified(diff)));
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
    private sealed class InputException(string message) : Exception(message);
}
