namespace GitOps.Sdk.Testing.Emulator.Protobuf;

/// <summary>A protobuf body that does not decode into the message it claims to be (answered 400, like the server).</summary>
internal sealed class ProtobufDecodeException(string message) : Exception(message);
