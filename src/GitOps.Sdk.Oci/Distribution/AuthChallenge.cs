namespace GitOps.Sdk.Oci.Distribution;

/// <summary>One parsed <c>WWW-Authenticate</c> challenge, e.g. <c>Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"</c>.</summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Get(string name) => Parameters.TryGetValue(name, out var v) ? v : null;

    /// <summary>Parses the parameter part of a challenge: comma-separated <c>key=value</c> pairs, values quoted or bare.</summary>
    public static AuthChallenge Parse(string scheme, string? parameter)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = parameter ?? string.Empty;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var keyStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',')
            {
                i++;
            }

            var key = text[keyStart..i].Trim();
            if (i >= text.Length || text[i] != '=')
            {
                continue;
            }

            i++;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                i++;
                var sb = new System.Text.StringBuilder();
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    sb.Append(text[i]);
                    i++;
                }

                i++;
                value = sb.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && text[i] != ',')
                {
                    i++;
                }

                value = text[valueStart..i].Trim();
            }

            if (key.Length > 0)
            {
                values[key] = value;
            }
        }

        return new AuthChallenge(scheme, values);
    }
}
