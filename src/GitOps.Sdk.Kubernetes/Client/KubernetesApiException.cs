using System.Net;

namespace GitOps.Sdk.Kubernetes;

/// <summary>The API server refused or failed a read the caller cannot do without (a list, a discovery document).</summary>
public sealed class KubernetesApiException : TargetException
{
    /// <summary>Initializes a new instance.</summary>
    public KubernetesApiException()
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public KubernetesApiException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public KubernetesApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message, naming the request.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="reason">The <c>Status</c> reason, e.g. <c>Forbidden</c>.</param>
    public KubernetesApiException(string message, HttpStatusCode statusCode, string? reason)
        : base(message)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>Gets the HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Gets the <c>Status</c> reason, when the server sent one.</summary>
    public string? Reason { get; }
}
