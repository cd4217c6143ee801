using System.Globalization;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>One recorded exchange: request line, headers, optional body; response status, headers, body.</summary>
internal sealed class Exchange
{
    public string Method { get; private init; } = string.Empty;

    public string Target { get; private init; } = string.Empty;

    public Dictionary<string, string> RequestHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string? RequestBody { get; private set; }

    public int ResponseStatus { get; private set; }

    public Dictionary<string, string> ResponseHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string ResponseBody { get; private set; } = string.Empty;

    public static Exchange Load(string path)
    {
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        var requestLine = lines[0].Split(' ');
        var exchange = new Exchange { Method = requestLine[0], Target = requestLine[1] };
        var i = 1;
        for (; i < lines.Length && lines[i].Length > 0; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            exchange.RequestHeaders[lines[i][..colon]] = lines[i][(colon + 1)..].Trim();
        }

        var rest = string.Join('\n', lines[(i + 1)..]);
        var responseStart = rest.StartsWith("HTTP/1.1", StringComparison.Ordinal) ? 0 : rest.IndexOf("\nHTTP/1.1", StringComparison.Ordinal) + 1;
        if (exchange.RequestHeaders.TryGetValue("Content-Length", out var length))
        {
            exchange.RequestBody = rest[..int.Parse(length, CultureInfo.InvariantCulture)];
        }

        var response = rest[responseStart..];
        var statusLine = response[..response.IndexOf('\n', StringComparison.Ordinal)];
        exchange.ResponseStatus = int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
        var bodyStart = response.IndexOf("\n\n", StringComparison.Ordinal);
        foreach (var header in response[(statusLine.Length + 1)..bodyStart].Split('\n'))
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            exchange.ResponseHeaders[header[..colon]] = header[(colon + 1)..].Trim();
        }

        exchange.ResponseBody = response[(bodyStart + 2)..];
        return exchange;
    }
}
