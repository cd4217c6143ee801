using YamlDotNet.Core;

namespace GitOps.Sdk.Manifests;

/// <summary>Words and places YamlDotNet's syntax errors the way a user needs them: the message without its position prefix, a tab at the tab itself.</summary>
internal static class YamlSyntaxErrors
{
    public static string Message(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: 1, Col: 2, Idx: 3) - (…): "; the position is reported separately.
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return "invalid YAML: " + (message.StartsWith('(') && cut > 0 ? message[(cut + 3)..] : message);
    }

    /// <summary>YamlDotNet reports a tab in indentation at the start of the enclosing mapping; find the tab itself.</summary>
    public static (int Line, int Column) FindTabIndentation(string text, int fromLine, int fromColumn)
    {
        var line = 1;
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }

            if (line >= fromLine)
            {
                for (var i = start; i < end && text[i] is ' ' or '\t'; i++)
                {
                    if (text[i] == '\t')
                    {
                        return (line, i - start + 1);
                    }
                }
            }

            start = end + 1;
            line++;
        }

        return (fromLine, fromColumn);
    }
}
