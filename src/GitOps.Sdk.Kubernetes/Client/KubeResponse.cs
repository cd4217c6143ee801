using System.Net;
using System.Text;
using System.Text.Json;

namespace GitOps.Sdk.Kubernetes;

/// <summary>An API server answer: status code and body bytes.</summary>
internal sealed class KubeResponse(HttpStatusCode statusCode, byte[] body)
{
    private KubeStatus? _status;
    private bool _statusRead;

    public HttpStatusCode StatusCode { get; } = statusCode;

    public byte[] Body { get; } = body;

    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>Gets the <c>Status</c> body of a failed request, when the body is one.</summary>
    public KubeStatus? Status
    {
        get
        {
            if (!_statusRead)
            {
                _status = KubeStatus.TryParse(Body);
                _statusRead = true;
            }

            return _status;
        }
    }

    public KubeObject ReadObject() => KubeObject.Parse(Body);

    /// <summary>Returns "<c>422 Invalid: message</c>" for messages.</summary>
    public string Describe()
    {
        if (Status is { } s)
        {
            return $"{(int)StatusCode} {s.Reason}: {s.Message}";
        }

        var text = Body.Length > 300 ? Encoding.UTF8.GetString(Body, 0, 300) + "…" : Encoding.UTF8.GetString(Body);
        return $"{(int)StatusCode} {text}";
    }
}

/// <summary>A Kubernetes <c>Status</c> body (<c>meta/v1</c>).</summary>
internal sealed record KubeStatus(string? Reason, string? Message, int Code, IReadOnlyList<KubeStatusCause> Causes)
{
    public static KubeStatus? TryParse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            return FromElement(doc.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static KubeStatus? FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("kind", out var kind)
            || kind.ValueKind != JsonValueKind.String
            || kind.GetString() != "Status")
        {
            return null;
        }

        var causes = new List<KubeStatusCause>();
        if (root.TryGetProperty("details", out var details)
            && details.ValueKind == JsonValueKind.Object
            && details.TryGetProperty("causes", out var list)
            && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var c in list.EnumerateArray())
            {
                causes.Add(new KubeStatusCause(Str(c, "reason"), Str(c, "message"), Str(c, "field")));
            }
        }

        var code = root.TryGetProperty("code", out var codeElement) && codeElement.ValueKind == JsonValueKind.Number ? codeElement.GetInt32() : 0;
        return new KubeStatus(Str(root, "reason"), Str(root, "message"), code, causes);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>One cause in a <c>Status</c>.</summary>
internal sealed record KubeStatusCause(string? Reason, string? Message, string? Field);
