using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace GitOps.Sdk.Testing.Emulator.Protobuf;

/// <summary>What a field's Go declaration says about its protobuf and JSON forms (see field-presence.txt).</summary>
/// <param name="Pointer">A Go pointer: on the wire only when set, and then shown in JSON even when zero (<c>replicas: 0</c>).</param>
/// <param name="Required">No <c>omitempty</c>: JSON shows the zero value (<c>null</c> for a nil slice, map or pointer).</param>
/// <param name="Inline">An embedded struct: JSON shows its fields in the parent object.</param>
internal readonly record struct GoField(bool Pointer, bool Required, bool Inline);

/// <summary>
/// The message types of the built-in Kubernetes API, loaded from the descriptor set compiled at build time from the
/// public <c>.proto</c> definitions under <c>Emulator/Protobuf/proto</c>, and the Go presence facts of their fields.
/// </summary>
internal sealed class KubeProtobufSchema
{
    private static readonly Lazy<KubeProtobufSchema> Shared = new(Load);
    private readonly Dictionary<string, MessageDescriptor> _messages;
    private readonly Dictionary<string, GoField> _goFields;

    private KubeProtobufSchema(Dictionary<string, MessageDescriptor> messages, Dictionary<string, GoField> goFields)
    {
        _messages = messages;
        _goFields = goFields;
    }

    public static KubeProtobufSchema Instance => Shared.Value;

    /// <summary>Gets the number of message types known.</summary>
    public int MessageCount => _messages.Count;

    public MessageDescriptor? Message(string fullName) => _messages.GetValueOrDefault(fullName);

    /// <summary>The message of a kind: <c>apps/v1 Deployment</c> is <c>k8s.io.api.apps.v1.Deployment</c>.</summary>
    public MessageDescriptor? ForKind(string group, string version, string kind)
    {
        // DeleteOptions is registered in every group version; its message lives in meta/v1.
        if (group == "meta.k8s.io" || kind == "DeleteOptions")
        {
            return Message("k8s.io.apimachinery.pkg.apis.meta.v1." + kind);
        }

        // Built-in groups are named after their package: rbac.authorization.k8s.io is k8s.io/api/rbac.
        var package = group.Length == 0 ? "core" : group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group.Split('.')[0] : group;
        return Message("k8s.io.api." + package + "." + version + "." + kind);
    }

    /// <summary>The Go facts of a field; a field not listed is a non-pointer with <c>omitempty</c>.</summary>
    public GoField Go(FieldDescriptor field) => _goFields.GetValueOrDefault(field.ContainingType.FullName + "." + field.Name);

    private static KubeProtobufSchema Load()
    {
        var assembly = typeof(KubeProtobufSchema).Assembly;
        var set = FileDescriptorSet.Parser.ParseFrom(ReadResource(assembly, "Protobuf.kube.protoset"));

        // protoc --include_imports writes every file after the files it imports, the order BuildFromByteStrings needs.
        var files = FileDescriptor.BuildFromByteStrings(set.File.Select(f => f.ToByteString()));
        var messages = new Dictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var message in file.MessageTypes)
            {
                messages[message.FullName] = message;
            }
        }

        var goFields = new Dictionary<string, GoField>(StringComparer.Ordinal);
        using var reader = new StreamReader(new MemoryStream(ReadResource(assembly, "Protobuf.field-presence.txt")));
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ');
            var unknown = parts.Skip(1).FirstOrDefault(p => p is not ("pointer" or "required" or "inline"));
            if (unknown is not null)
            {
                throw new InvalidOperationException("field-presence.txt: unknown fact '" + unknown + "' in line: " + line);
            }

            goFields[parts[0]] = new GoField(parts.Contains("pointer"), parts.Contains("required"), parts.Contains("inline"));
        }

        return new KubeProtobufSchema(messages, goFields);
    }

    private static byte[] ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("Embedded resource " + name + " is missing from " + assembly.GetName().Name + ".");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
