using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Diff;

/// <summary>How Secret values are shown: never their content, only whether the two sides agree.</summary>
internal static class SecretMasking
{
    /// <summary>The text that stands for a Secret value in field changes.</summary>
    public const string Mask = "***";

    /// <summary>The masked value of the desired side when the two sides differ.</summary>
    public const string DesiredMask = "*** (desired)";

    /// <summary>The masked value of the live side when the two sides differ.</summary>
    public const string LiveMask = "*** (live)";

    /// <summary>Returns the JSON text of a map with every value masked.</summary>
    public static string MaskedMapText(JsonElement map)
    {
        var masked = new JsonObject();
        foreach (var p in map.EnumerateObject())
        {
            masked[p.Name] = Mask;
        }

        return masked.ToJsonString();
    }

    /// <summary>Returns a copy of a whole Secret with <c>data</c> and <c>stringData</c> values masked.</summary>
    public static JsonObject MaskSecret(JsonObject secret)
    {
        foreach (var section in (ReadOnlySpan<string>)["data", "stringData"])
        {
            if (secret[section] is JsonObject map)
            {
                foreach (var key in map.Select(p => p.Key).ToList())
                {
                    map[key] = Mask;
                }
            }
        }

        return secret;
    }
}
