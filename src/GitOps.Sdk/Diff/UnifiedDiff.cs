using System.Globalization;
using System.Text;

namespace GitOps.Sdk.Diff;

/// <summary>A line diff (Myers' O(ND) algorithm, shortest edit script) printed in unified format like <c>diff -u</c>.</summary>
internal static class UnifiedDiff
{
    /// <summary>An edit of one line.</summary>
    internal enum Op
    {
        /// <summary>The line is in both texts.</summary>
        Equal,

        /// <summary>The line is only in the old text.</summary>
        Delete,

        /// <summary>The line is only in the new text.</summary>
        Insert,
    }

    /// <summary>Returns the unified diff of two texts, empty when they are equal.</summary>
    public static string Format(string oldText, string newText, string oldName, string newName, int context)
    {
        var a = SplitLines(oldText);
        var b = SplitLines(newText);
        var script = Diff(a, b);
        if (script.TrueForAll(e => e.Op == Op.Equal))
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        sb.Append("--- ").Append(oldName).Append('\n');
        sb.Append("+++ ").Append(newName).Append('\n');

        var i = 0;
        while (i < script.Count)
        {
            if (script[i].Op == Op.Equal)
            {
                i++;
                continue;
            }

            // A hunk starts `context` lines before the first change and runs until a gap of more than 2*context equal lines.
            var start = Math.Max(0, i - context);
            var end = i;
            var lastChange = i;
            while (end < script.Count)
            {
                if (script[end].Op != Op.Equal)
                {
                    lastChange = end;
                }
                else if (end - lastChange > 2 * context)
                {
                    break;
                }

                end++;
            }

            end = Math.Min(script.Count, lastChange + context + 1);
            AppendHunk(sb, script, start, end);
            i = end;
        }

        return sb.ToString();
    }

    /// <summary>Computes the shortest edit script from <paramref name="a"/> to <paramref name="b"/>.</summary>
    internal static List<(Op Op, string Line, int OldIndex, int NewIndex)> Diff(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var n = a.Count;
        var m = b.Count;
        var max = n + m;
        var offset = max + 1;
        var v = new int[(2 * max) + 3];
        var trace = new List<int[]>();
        var found = false;
        for (var d = 0; d <= max && !found; d++)
        {
            trace.Add((int[])v.Clone());
            for (var k = -d; k <= d; k += 2)
            {
                int x;
                if (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                {
                    x = v[offset + k + 1];
                }
                else
                {
                    x = v[offset + k - 1] + 1;
                }

                var y = x - k;
                while (x < n && y < m && string.Equals(a[x], b[y], StringComparison.Ordinal))
                {
                    x++;
                    y++;
                }

                v[offset + k] = x;
                if (x >= n && y >= m)
                {
                    found = true;
                    break;
                }
            }
        }

        // Walk the trace backwards to recover the path.
        var result = new List<(Op, string, int, int)>();
        var cx = n;
        var cy = m;
        for (var d = trace.Count - 1; d >= 0; d--)
        {
            var vd = trace[d];
            var k = cx - cy;
            int prevK;
            if (k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1]))
            {
                prevK = k + 1;
            }
            else
            {
                prevK = k - 1;
            }

            var prevX = vd[offset + prevK];
            var prevY = prevX - prevK;
            while (cx > prevX && cy > prevY)
            {
                cx--;
                cy--;
                result.Add((Op.Equal, a[cx], cx, cy));
            }

            if (d > 0)
            {
                if (cx == prevX)
                {
                    cy--;
                    result.Add((Op.Insert, b[cy], cx, cy));
                }
                else
                {
                    cx--;
                    result.Add((Op.Delete, a[cx], cx, cy));
                }
            }
        }

        result.Reverse();
        return result;
    }

    private static void AppendHunk(StringBuilder sb, List<(Op Op, string Line, int OldIndex, int NewIndex)> script, int start, int end)
    {
        int oldStart = -1, newStart = -1, oldCount = 0, newCount = 0;
        for (var i = start; i < end; i++)
        {
            var (op, _, oi, ni) = script[i];
            if (op != Op.Insert)
            {
                if (oldStart < 0)
                {
                    oldStart = oi;
                }

                oldCount++;
            }

            if (op != Op.Delete)
            {
                if (newStart < 0)
                {
                    newStart = ni;
                }

                newCount++;
            }
        }

        // diff -u numbers lines from 1; an empty range names the line before it.
        var oldLine = oldCount == 0 ? (start < script.Count ? script[start].OldIndex : 0) : oldStart + 1;
        var newLine = newCount == 0 ? (start < script.Count ? script[start].NewIndex : 0) : newStart + 1;
        sb.Append("@@ -").Append(Range(oldLine, oldCount)).Append(" +").Append(Range(newLine, newCount)).Append(" @@\n");
        for (var i = start; i < end; i++)
        {
            var (op, line, _, _) = script[i];
            sb.Append(op switch { Op.Equal => ' ', Op.Delete => '-', _ => '+' }).Append(line).Append('\n');
        }
    }

    private static string Range(int line, int count) =>
        count == 1 ? line.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{line},{count}");

    private static List<string> SplitLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n').ToList();
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
