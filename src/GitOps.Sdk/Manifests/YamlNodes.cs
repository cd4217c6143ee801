namespace GitOps.Sdk.Manifests;

/// <summary>
/// A node of one YAML document after scalar resolution. Aliases share the anchored node (nothing is copied), and every
/// node knows the size of its expansion (<see cref="Nodes"/>, <see cref="Bytes"/>, <see cref="Height"/>) so that an
/// alias bomb is refused before it is expanded.
/// </summary>
internal abstract class YNode
{
    protected YNode(int line, int column, long nodes, long bytes, int height)
    {
        Line = line;
        Column = column;
        Nodes = nodes;
        Bytes = bytes;
        Height = height;
    }

    public int Line { get; }

    public int Column { get; }

    /// <summary>Gets or sets the number of nodes in the expansion of this node, itself included.</summary>
    public long Nodes { get; set; }

    /// <summary>Gets or sets the approximate JSON size of the expansion of this node.</summary>
    public long Bytes { get; set; }

    /// <summary>Gets or sets the nesting of containers in this node: 0 for a scalar, 1 for a flat mapping or sequence.</summary>
    public int Height { get; set; }
}

internal sealed class YScalar : YNode
{
    public YScalar(int line, int column, ScalarKind kind, string text, long integer, double number)
        : base(line, column, 1, text.Length + 2, 0)
    {
        Kind = kind;
        Text = text;
        Integer = integer;
        Number = number;
    }

    public ScalarKind Kind { get; }

    /// <summary>Gets the scalar's text as written (the string value for <see cref="ScalarKind.String"/>).</summary>
    public string Text { get; }

    /// <summary>Gets the value of an <see cref="ScalarKind.Int"/>, or 1/0 for a <see cref="ScalarKind.Bool"/>.</summary>
    public long Integer { get; }

    /// <summary>Gets the value of a <see cref="ScalarKind.Float"/>.</summary>
    public double Number { get; }

    public bool IsNull => Kind == ScalarKind.Null;

    public string? AsString => Kind == ScalarKind.String ? Text : null;
}

internal sealed class YSequence : YNode
{
    public YSequence(int line, int column)
        : base(line, column, 1, 2, 1)
    {
    }

    public List<YNode> Items { get; } = [];
}

internal readonly record struct YEntry(string Key, YNode Value, int Line, int Column);

internal sealed class YMapping : YNode
{
    public YMapping(int line, int column)
        : base(line, column, 1, 2, 1)
    {
    }

    public List<YEntry> Entries { get; } = [];

    public YNode? Get(string key)
    {
        foreach (var e in Entries)
        {
            if (string.Equals(e.Key, key, StringComparison.Ordinal))
            {
                return e.Value;
            }
        }

        return null;
    }
}
