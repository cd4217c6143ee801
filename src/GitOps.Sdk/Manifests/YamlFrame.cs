using YamlDotNet.Core;

namespace GitOps.Sdk.Manifests;

/// <summary>An open mapping or sequence while its events are read; a mapping remembers its pending key and <c>&lt;&lt;</c> merges.</summary>
internal sealed class YamlFrame
{
    private const int IndexThreshold = 12;
    private Dictionary<string, int>? _index;
    private List<YMapping>? _merges;
    private int _mergeAt;

    public YamlFrame(YMapping? mapping, YSequence? sequence, string? anchor)
    {
        Mapping = mapping;
        Sequence = sequence;
        Anchor = anchor;
    }

    public YMapping? Mapping { get; }

    public YSequence? Sequence { get; }

    public string? Anchor { get; }

    public bool HasKey { get; set; }

    public string? Key { get; private set; }

    public bool KeyIsMerge { get; private set; }

    public int KeyLine { get; private set; }

    public int KeyColumn { get; private set; }

    public void SetKey(string key, Mark at, bool merge)
    {
        Key = key;
        KeyIsMerge = merge;
        KeyLine = (int)at.Line;
        KeyColumn = (int)at.Column;
        HasKey = true;
    }

    /// <summary>Returns the line of an explicit key already in the mapping, or 0.</summary>
    public int FindKeyLine(YMapping mapping, string key)
    {
        if (_index is not null)
        {
            return _index.TryGetValue(key, out var i) ? mapping.Entries[i].Line : 0;
        }

        foreach (var entry in mapping.Entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                return Math.Max(entry.Line, 1);
            }
        }

        return 0;
    }

    public void AddEntry(YMapping mapping, YEntry entry)
    {
        mapping.Entries.Add(entry);
        if (_index is not null)
        {
            _index[entry.Key] = mapping.Entries.Count - 1;
        }
        else if (mapping.Entries.Count > IndexThreshold)
        {
            _index = new Dictionary<string, int>(mapping.Entries.Count * 2, StringComparer.Ordinal);
            for (var i = 0; i < mapping.Entries.Count; i++)
            {
                _index[mapping.Entries[i].Key] = i;
            }
        }
    }

    public bool AddMerge(YNode source)
    {
        if (_merges is null)
        {
            _mergeAt = Mapping!.Entries.Count;
            _merges = [];
        }

        switch (source)
        {
            case YMapping mapping:
                _merges.Add(mapping);
                return true;
            case YSequence sequence:
                foreach (var item in sequence.Items)
                {
                    if (item is not YMapping m)
                    {
                        return false;
                    }

                    _merges.Add(m);
                }

                return true;
            default:
                return false;
        }
    }

    public YMapping FinishMapping(YMapping mapping)
    {
        if (_merges is null)
        {
            return mapping;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in mapping.Entries)
        {
            seen.Add(entry.Key);
        }

        var merged = new List<YEntry>();
        foreach (var source in _merges)
        {
            foreach (var entry in source.Entries)
            {
                if (seen.Add(entry.Key))
                {
                    merged.Add(entry);
                }
            }
        }

        mapping.Entries.InsertRange(_mergeAt, merged);
        return mapping;
    }
}
