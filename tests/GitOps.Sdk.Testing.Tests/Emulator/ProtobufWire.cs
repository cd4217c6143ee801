using Google.Protobuf;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>Builds protobuf bytes by hand (field numbers from the Kubernetes generated.proto files), for bodies kubectl does not send.</summary>
internal static class ProtobufWire
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    /// <summary>The <c>k8s\0</c> magic and a <c>runtime.Unknown</c> with typeMeta (1: apiVersion, 2: kind) and raw.</summary>
    public static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        [.. "k8s\0"u8, .. Message(Msg(1, Message(Str(1, apiVersion), Str(2, kind))), Bytes(2, raw))];

    public static byte[] Message(params byte[][] fields) => [.. fields.SelectMany(f => f)];

    public static byte[] Str(int number, string value) => Write(o =>
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    });

    public static byte[] Bytes(int number, byte[] value) => Write(o =>
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(value));
    });

    public static byte[] Msg(int number, byte[] message) => Bytes(number, message);

    public static byte[] Varint(int number, long value) => Write(o =>
    {
        o.WriteTag(number, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    });

    /// <summary>A map entry of <c>map&lt;string, string&gt;</c>: key 1, value 2.</summary>
    public static byte[] Entry(int number, string key, string value) => Msg(number, Message(Str(1, key), Str(2, value)));

    private static byte[] Write(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }
}
