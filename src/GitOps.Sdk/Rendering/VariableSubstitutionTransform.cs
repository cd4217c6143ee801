using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Rendering;

/// <summary>
/// Step 3 (<see cref="Order"/> 300), only when <see cref="RenderOptions.SubstituteVariables"/> is set: replaces
/// <c>${NAME}</c> and <c>${NAME:=default}</c> in string values with <see cref="RenderOptions.Variables"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Only string values change, never keys, and a value stays a string, so a variable cannot add structure (a
/// value holding <c>"a\n  b: c"</c> stays one string).</item>
/// <item><c>NAME</c> is a letter or <c>_</c> followed by letters, digits or <c>_</c>. <c>$${NAME}</c> writes a literal
/// <c>${NAME}</c>. Any other <c>${…}</c> form (shell's <c>${A:-b}</c>, <c>${#A}</c>) is left as it is.</item>
/// <item>An undefined variable without a default is an error naming the variable, the object, its file and document.</item>
/// <item>An object annotated <see cref="WellKnown.SubstituteAnnotation"/><c>: disabled</c> is left untouched.</item>
/// </list>
/// </remarks>
public sealed class VariableSubstitutionTransform : IRenderTransform
{
    /// <inheritdoc />
    public int Order => 300;

    /// <inheritdoc />
    public ValueTask<RenderResult> TransformAsync(DesiredState state, RenderTransformContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Options.SubstituteVariables)
        {
            return ValueTask.FromResult(RenderResult.Success(state));
        }

        var variables = context.Options.Variables;
        var errors = new List<ManifestError>();
        var result = TransformHelpers.Map(state, obj =>
        {
            if (obj.Utf8Json.Span.IndexOf("${"u8) < 0
                || string.Equals(TransformHelpers.MetadataValue(obj, "annotations", WellKnown.SubstituteAnnotation), "disabled", StringComparison.Ordinal))
            {
                return obj;
            }

            var undefined = new List<(string Name, string Path)>();
            var node = obj.ToJsonObject();
            if (!SubstituteIn(node, "", variables, undefined))
            {
                return obj;
            }

            foreach (var (name, path) in undefined)
            {
                errors.Add(new ManifestError(
                    $"variable '{name}' is not defined and has no default (${{{name}:=default}}), at {(path.Length == 0 ? "/" : path)}",
                    obj.Origin?.File,
                    obj.Origin?.DocumentIndex ?? -1,
                    obj.Origin?.Line ?? 0,
                    obj.Origin?.Column ?? 0)
                {
                    Object = obj.Key,
                    Code = "undefined-variable",
                });
            }

            return KubeObject.FromNode(node, obj.Origin);
        });

        return ValueTask.FromResult(errors.Count > 0 ? RenderResult.Failure(errors) : RenderResult.Success(result));
    }

    /// <summary>Substitutes in one string.</summary>
    /// <param name="text">The string value.</param>
    /// <param name="variables">The variables.</param>
    /// <param name="undefined">Receives names that are undefined and have no default.</param>
    /// <returns>The substituted text (the same instance when nothing changed).</returns>
    internal static string Substitute(string text, IReadOnlyDictionary<string, string> variables, List<string> undefined)
    {
        var start = text.IndexOf('$', StringComparison.Ordinal);
        if (start < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, start);
        var i = start;
        var changed = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != '$')
            {
                sb.Append(c);
                i++;
                continue;
            }

            // $${ → literal ${
            if (i + 2 < text.Length && text[i + 1] == '$' && text[i + 2] == '{')
            {
                sb.Append("${");
                i += 3;
                changed = true;
                continue;
            }

            if (i + 1 < text.Length && text[i + 1] == '{' && TryParseReference(text, i, out var name, out var fallback, out var end))
            {
                if (variables.TryGetValue(name, out var value))
                {
                    sb.Append(value);
                }
                else if (fallback is not null)
                {
                    sb.Append(fallback);
                }
                else
                {
                    undefined.Add(name);
                    sb.Append(text, i, end - i);
                }

                i = end;
                changed = true;
                continue;
            }

            sb.Append(c);
            i++;
        }

        return changed ? sb.ToString() : text;
    }

    private static bool TryParseReference(string text, int dollar, out string name, out string? fallback, out int end)
    {
        name = string.Empty;
        fallback = null;
        end = dollar;
        var i = dollar + 2;
        var nameStart = i;
        if (i >= text.Length || !(char.IsAsciiLetter(text[i]) || text[i] == '_'))
        {
            return false;
        }

        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }

        if (i >= text.Length)
        {
            return false;
        }

        name = text[nameStart..i];
        if (text[i] == '}')
        {
            end = i + 1;
            return true;
        }

        if (text[i] == ':' && i + 1 < text.Length && text[i + 1] == '=')
        {
            var close = text.IndexOf('}', i + 2);
            if (close < 0)
            {
                return false;
            }

            fallback = text[(i + 2)..close];
            end = close + 1;
            return true;
        }

        return false;
    }

    private static bool SubstituteIn(JsonNode? node, string path, IReadOnlyDictionary<string, string> variables, List<(string Name, string Path)> undefined)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    var childPath = path + "/" + key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
                    if (child is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                    {
                        var replaced = Replace(value.GetValue<string>(), childPath, variables, undefined);
                        if (replaced is not null)
                        {
                            obj[key] = replaced;
                            changed = true;
                        }
                    }
                    else
                    {
                        changed |= SubstituteIn(child, childPath, variables, undefined);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var childPath = path + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (array[i] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                    {
                        var replaced = Replace(value.GetValue<string>(), childPath, variables, undefined);
                        if (replaced is not null)
                        {
                            array[i] = replaced;
                            changed = true;
                        }
                    }
                    else
                    {
                        changed |= SubstituteIn(array[i], childPath, variables, undefined);
                    }
                }

                break;
        }

        return changed;
    }

    private static string? Replace(string text, string path, IReadOnlyDictionary<string, string> variables, List<(string Name, string Path)> undefined)
    {
        var names = new List<string>();
        var replaced = Substitute(text, variables, names);
        foreach (var name in names)
        {
            undefined.Add((name, path));
        }

        return ReferenceEquals(replaced, text) ? null : replaced;
    }
}
