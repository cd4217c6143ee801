using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace GitOps.Sdk.Testing.Emulator.Protobuf;

/// <summary>
/// Turns a protobuf-encoded Kubernetes object into the JSON the API server shows for it: the Go struct it decodes to,
/// marshalled by encoding/json. Fields appear in declaration order (Go struct order), map keys sorted, zero values of
/// non-pointer <c>omitempty</c> fields left out, and the apimachinery types written in their JSON form
/// (<c>Time</c>, <c>MicroTime</c>, <c>Duration</c>, <c>Quantity</c>, <c>IntOrString</c>, <c>FieldsV1</c>, <c>RawExtension</c>).
/// </summary>
internal static class ProtobufJson
{
    private const string Meta = "k8s.io.apimachinery.pkg.apis.meta.v1.";

    public static JsonObject Message(KubeProtobufSchema schema, MessageDescriptor type, ReadOnlySpan<byte> data)
    {
        var fields = Read(type, data);
        var result = new JsonObject();
        foreach (var field in type.Fields.InDeclarationOrder())
        {
            var go = schema.Go(field);
            JsonNode? node;
            if (!fields.TryGetValue(field.FieldNumber, out var value))
            {
                // Not on the wire: the Go field keeps its zero value, which encoding/json shows unless omitempty hides it.
                // Structs are never hidden (Go's encoders always write them; other senders may not).
                if (field.IsMap || field.IsRepeated || go.Pointer || field.FieldType != FieldType.Message)
                {
                    if (go.Required)
                    {
                        result[field.Name] = field.IsMap || field.IsRepeated || go.Pointer ? null : Convert(schema, field, ZeroOf(field));
                    }

                    continue;
                }

                node = Zero(schema, field.MessageType);
            }
            else if (field.IsMap)
            {
                var valueField = field.MessageType.FindFieldByNumber(2);
                var map = new JsonObject();
                foreach (var (key, entry) in value.Entries!.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    map[key] = Convert(schema, valueField, entry);
                }

                node = map;
            }
            else if (field.IsRepeated)
            {
                node = new JsonArray([.. value.Items!.Select(item => Convert(schema, field, item))]);
            }
            else if (field.FieldType == FieldType.Message)
            {
                node = Convert(schema, field, value.Single!);
            }
            else
            {
                if (!go.Pointer && !go.Required && IsZero(value.Single!))
                {
                    continue;
                }

                node = Convert(schema, field, value.Single!);
            }

            if (go.Inline && node is JsonObject inlined)
            {
                foreach (var (name, inner) in inlined.ToList())
                {
                    inlined.Remove(name);
                    result[name] = inner;
                }
            }
            else
            {
                result[field.Name] = node;
            }
        }

        return result;
    }

    /// <summary>The JSON of a struct's Go zero value.</summary>
    private static JsonNode? Zero(KubeProtobufSchema schema, MessageDescriptor type) => type.FullName switch
    {
        Meta + "Time" or Meta + "MicroTime" or Meta + "FieldsV1" or "k8s.io.apimachinery.pkg.runtime.RawExtension" => null,
        Meta + "Duration" => "0s",
        "k8s.io.apimachinery.pkg.api.resource.Quantity" or "k8s.io.apimachinery.pkg.api.resource.QuantityValue" => "0",
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => 0,
        _ => Message(schema, type, []),
    };

    /// <summary>One field's occurrences on the wire: the last scalar, every part of a message (merged), list items, map entries.</summary>
    private sealed class WireValue
    {
        public object? Single { get; set; }

        public List<object>? Items { get; set; }

        public Dictionary<string, object>? Entries { get; set; }
    }

    private static Dictionary<int, WireValue> Read(MessageDescriptor type, ReadOnlySpan<byte> data)
    {
        var fields = new Dictionary<int, WireValue>();
        var input = new CodedInputStream(data.ToArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var wireType = WireFormat.GetTagWireType(tag);
            var field = type.FindFieldByNumber(number);
            if (field is null)
            {
                // Go's generated unmarshallers skip fields they do not know (a newer client's additions).
                input.SkipLastField();
                continue;
            }

            if (!fields.TryGetValue(number, out var value))
            {
                value = new WireValue();
                fields[number] = value;
            }

            if (field.IsMap)
            {
                Expect(field, wireType, WireFormat.WireType.LengthDelimited);
                var (key, entry) = MapEntry(field.MessageType, input.ReadBytes().Span);
                (value.Entries ??= new Dictionary<string, object>(StringComparer.Ordinal))[key] = entry;
            }
            else if (field.IsRepeated)
            {
                value.Items ??= [];
                if (wireType == WireFormat.WireType.LengthDelimited && IsPackable(field.FieldType))
                {
                    var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (!packed.IsAtEnd)
                    {
                        value.Items.Add(Scalar(field, packed));
                    }
                }
                else
                {
                    Expect(field, wireType, WireTypeOf(field.FieldType));
                    value.Items.Add(Scalar(field, input));
                }
            }
            else
            {
                Expect(field, wireType, WireTypeOf(field.FieldType));
                var read = Scalar(field, input);

                // A message field seen twice merges, like decoding the concatenation of both parts.
                value.Single = field.FieldType == FieldType.Message && value.Single is ByteString earlier
                    ? earlier.Concat(read)
                    : read;
            }
        }

        return fields;
    }

    private static ByteString Concat(this ByteString first, object second) =>
        ByteString.CopyFrom([.. first.Span, .. ((ByteString)second).Span]);

    private static (string Key, object Value) MapEntry(MessageDescriptor entryType, ReadOnlySpan<byte> data)
    {
        var keyField = entryType.FindFieldByNumber(1);
        var valueField = entryType.FindFieldByNumber(2);
        var input = new CodedInputStream(data.ToArray());
        object key = string.Empty;
        object value = ZeroOf(valueField);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    Expect(keyField, WireFormat.GetTagWireType(tag), WireTypeOf(keyField.FieldType));
                    key = Scalar(keyField, input);
                    break;
                case 2:
                    Expect(valueField, WireFormat.GetTagWireType(tag), WireTypeOf(valueField.FieldType));
                    value = Scalar(valueField, input);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (key as string ?? System.Convert.ToString(key, CultureInfo.InvariantCulture)!, value);
    }

    private static object ZeroOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => string.Empty,
        FieldType.Bytes or FieldType.Message => ByteString.Empty,
        FieldType.Bool => false,
        FieldType.Double or FieldType.Float => 0d,
        _ => 0L,
    };

    private static object Scalar(FieldDescriptor field, CodedInputStream input) => field.FieldType switch
    {
        FieldType.String => input.ReadString(),
        FieldType.Bytes or FieldType.Message => input.ReadBytes(),
        FieldType.Bool => input.ReadBool(),
        FieldType.Int32 => (long)input.ReadInt32(),
        FieldType.Int64 => input.ReadInt64(),
        FieldType.UInt32 => (long)input.ReadUInt32(),
        FieldType.UInt64 => (object)input.ReadUInt64(),
        FieldType.SInt32 => (long)input.ReadSInt32(),
        FieldType.SInt64 => input.ReadSInt64(),
        FieldType.Fixed32 => (long)input.ReadFixed32(),
        FieldType.Fixed64 => (object)input.ReadFixed64(),
        FieldType.SFixed32 => (long)input.ReadSFixed32(),
        FieldType.SFixed64 => input.ReadSFixed64(),
        FieldType.Double => input.ReadDouble(),
        FieldType.Float => (double)input.ReadFloat(),
        FieldType.Enum => (long)input.ReadEnum(),
        _ => throw new ProtobufDecodeException($"field {field.Name} of {field.ContainingType.Name} has the unsupported type {field.FieldType}"),
    };

    private static bool IsPackable(FieldType type) => type is not (FieldType.String or FieldType.Bytes or FieldType.Message or FieldType.Group);

    private static WireFormat.WireType WireTypeOf(FieldType type) => type switch
    {
        FieldType.String or FieldType.Bytes or FieldType.Message => WireFormat.WireType.LengthDelimited,
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => WireFormat.WireType.Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => WireFormat.WireType.Fixed32,
        _ => WireFormat.WireType.Varint,
    };

    private static void Expect(FieldDescriptor field, WireFormat.WireType actual, WireFormat.WireType expected)
    {
        if (actual != expected)
        {
            // The wording of Go's generated unmarshallers.
            throw new ProtobufDecodeException($"proto: wrong wireType = {(int)actual} for field {char.ToUpperInvariant(field.Name[0])}{field.Name[1..]}");
        }
    }

    private static bool IsZero(object value) => value switch
    {
        string s => s.Length == 0,
        ByteString b => b.IsEmpty,
        bool b => !b,
        long l => l == 0,
        ulong u => u == 0,
        double d => d == 0,
        _ => false,
    };

    private static JsonNode? Convert(KubeProtobufSchema schema, FieldDescriptor field, object value) => value switch
    {
        ByteString bytes when field.FieldType == FieldType.Message => Known(schema, field.MessageType, bytes.Span),
        ByteString bytes => JsonValue.Create(System.Convert.ToBase64String(bytes.Span)),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        ulong u => JsonValue.Create(u),
        double d => JsonValue.Create(d),
        _ => throw new InvalidOperationException("unexpected protobuf value " + value.GetType().Name),
    };

    /// <summary>The apimachinery types whose Go JSON form is not an object of their protobuf fields.</summary>
    private static JsonNode? Known(KubeProtobufSchema schema, MessageDescriptor type, ReadOnlySpan<byte> data)
    {
        switch (type.FullName)
        {
            case Meta + "Time":
            {
                // Go's Time keeps whole seconds only (its JSON form has no fraction); an empty message is the zero time: null.
                if (data.IsEmpty)
                {
                    return null;
                }

                var (seconds, _) = SecondsNanos(type, data);
                return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            }

            case Meta + "MicroTime":
            {
                if (data.IsEmpty)
                {
                    return null;
                }

                var (seconds, nanos) = SecondsNanos(type, data);
                var time = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.AddTicks(nanos / 1000 * 10);
                return time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            }

            case Meta + "Duration":
                return GoDuration.Format(Read(type, data).TryGetValue(1, out var duration) ? (long)duration.Single! : 0);
            case Meta + "FieldsV1":
            case "k8s.io.apimachinery.pkg.runtime.RawExtension":
            {
                if (!Read(type, data).TryGetValue(1, out var raw))
                {
                    return null;
                }

                try
                {
                    return JsonNode.Parse(((ByteString)raw.Single!).Span);
                }
                catch (JsonException e)
                {
                    throw new ProtobufDecodeException($"{type.Name} holds no JSON: {e.Message}");
                }
            }

            case "k8s.io.apimachinery.pkg.api.resource.Quantity":
            case "k8s.io.apimachinery.pkg.api.resource.QuantityValue":
            {
                var text = Read(type, data).TryGetValue(1, out var quantity) ? (string)quantity.Single! : null;
                if (string.IsNullOrEmpty(text))
                {
                    throw new ProtobufDecodeException("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
                }

                return text;
            }

            case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
            {
                // type 0 is an int, 1 a string; the other field is ignored, as Go's IntOrString does.
                var fields = Read(type, data);
                var isString = fields.TryGetValue(1, out var kind) && kind.Single is long k && k == 1;
                if (isString)
                {
                    return fields.TryGetValue(3, out var s) ? (string)s.Single! : string.Empty;
                }

                return fields.TryGetValue(2, out var i) ? (long)i.Single! : 0;
            }

            default:
                return Message(schema, type, data);
        }
    }

    private static (long Seconds, int Nanos) SecondsNanos(MessageDescriptor type, ReadOnlySpan<byte> data)
    {
        var fields = Read(type, data);
        var seconds = fields.TryGetValue(1, out var s) ? (long)s.Single! : 0;
        var nanos = fields.TryGetValue(2, out var n) ? (int)(long)n.Single! : 0;
        return (seconds, nanos);
    }
}
