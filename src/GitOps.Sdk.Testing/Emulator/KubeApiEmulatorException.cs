using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing;

/// <summary>An "another actor" call to a <see cref="KubeApiEmulator"/> was refused; <see cref="Status"/> is the API server's <c>Status</c> body.</summary>
public sealed class KubeApiEmulatorException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="KubeApiEmulatorException"/> class.</summary>
    public KubeApiEmulatorException()
        : this(500, "{}")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KubeApiEmulatorException"/> class.</summary>
    /// <param name="message">The message.</param>
    public KubeApiEmulatorException(string message)
        : base(message)
    {
        Status = "{}";
    }

    /// <summary>Initializes a new instance of the <see cref="KubeApiEmulatorException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public KubeApiEmulatorException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = "{}";
    }

    /// <summary>Initializes a new instance of the <see cref="KubeApiEmulatorException"/> class.</summary>
    /// <param name="code">The HTTP status code the API would have answered.</param>
    /// <param name="status">The <c>Status</c> body as JSON.</param>
    public KubeApiEmulatorException(int code, string status)
        : base(MessageOf(status))
    {
        Code = code;
        Status = status;
    }

    /// <summary>Gets the HTTP status code.</summary>
    public int Code { get; }

    /// <summary>Gets the <c>Status</c> body as JSON.</summary>
    public string Status { get; }

    private static string MessageOf(string status)
    {
        try
        {
            return (string?)JsonNode.Parse(status)?["message"] ?? status;
        }
        catch (JsonException)
        {
            return status;
        }
    }
}
