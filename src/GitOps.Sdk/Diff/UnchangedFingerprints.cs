using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>
/// Remembers, per desired object, the exact bytes of live objects that were compared and found unchanged: every live
/// field the comparison may read (all of it but <c>status</c> and the server-owned metadata that is never compared,
/// with only our own <c>managedFields</c> entry). A later live object with the same bytes there — the usual watch
/// event, where only <c>status</c> or <c>resourceVersion</c> moved — is decided by comparing bytes instead of walking.
/// The result is a pure function of the inputs either way; this only skips work whose outcome is already known.
/// </summary>
internal sealed class UnchangedFingerprints
{
    private const int Capacity = 2;
    private static readonly ConditionalWeakTable<KubeObject, UnchangedFingerprints> Table = [];

    private Fingerprint[] _entries = [];

    /// <summary>Returns whether <paramref name="live"/> matches a fingerprint recorded for <paramref name="desired"/> with these options.</summary>
    public static bool IsKnownUnchanged(KubeObject desired, KubeObject live, KubeObject? lastApplied, DiffOptions options)
    {
        if (!Table.TryGetValue(desired, out var prints))
        {
            return false;
        }

        foreach (var print in Volatile.Read(ref prints._entries))
        {
            if (ReferenceEquals(print.Options, options) && ReferenceEquals(print.LastApplied, lastApplied) && print.Matches(live.Json, options.FieldManager))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records that <paramref name="live"/> was found unchanged against <paramref name="desired"/>.</summary>
    public static void Remember(KubeObject desired, KubeObject live, KubeObject? lastApplied, DiffOptions options)
    {
        var prints = Table.GetOrCreateValue(desired);
        var print = Fingerprint.Create(live.Json, options.FieldManager, options, lastApplied);
        while (true)
        {
            var current = Volatile.Read(ref prints._entries);
            Fingerprint[] next = current.Length < Capacity ? [print, .. current] : [print, .. current.AsSpan(0, Capacity - 1)];
            if (Interlocked.CompareExchange(ref prints._entries, next, current) == current)
            {
                return;
            }
        }
    }

    private static bool IsSkippedMetadata(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("resourceVersion"u8) || name.SequenceEqual("managedFields"u8) || name.SequenceEqual("generation"u8)
        || name.SequenceEqual("creationTimestamp"u8) || name.SequenceEqual("uid"u8) || name.SequenceEqual("selfLink"u8);

    private sealed class Fingerprint
    {
        private readonly byte[] _bytes;
        private readonly int[] _lengths;

        private Fingerprint(byte[] bytes, int[] lengths, DiffOptions options, KubeObject? lastApplied)
        {
            _bytes = bytes;
            _lengths = lengths;
            Options = options;
            LastApplied = lastApplied;
        }

        public DiffOptions Options { get; }

        public KubeObject? LastApplied { get; }

        public static Fingerprint Create(JsonElement live, string fieldManager, DiffOptions options, KubeObject? lastApplied)
        {
            var builder = new Builder([], []);
            Visit(live, fieldManager, ref builder);
            return new Fingerprint([.. builder.Bytes], [.. builder.Lengths], options, lastApplied);
        }

        public bool Matches(JsonElement live, string fieldManager)
        {
            var cursor = new Cursor(_bytes, _lengths);
            return Visit(live, fieldManager, ref cursor) && cursor.AtEnd;
        }

        /// <summary>Feeds every compared segment of a live object, in document order, to <paramref name="visitor"/>; stops when it returns false.</summary>
        private static bool Visit<T>(JsonElement live, string fieldManager, ref T visitor)
            where T : struct, ISegmentVisitor
        {
            foreach (var p in live.EnumerateObject())
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(p);
                if (name.SequenceEqual("status"u8))
                {
                    continue;
                }

                if (!visitor.Next(name))
                {
                    return false;
                }

                if (name.SequenceEqual("metadata"u8) && p.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var m in p.Value.EnumerateObject())
                    {
                        var metaName = JsonMarshal.GetRawUtf8PropertyName(m);
                        if (IsSkippedMetadata(metaName))
                        {
                            continue;
                        }

                        if (!visitor.Next(metaName) || !visitor.Next(JsonMarshal.GetRawUtf8Value(m.Value)))
                        {
                            return false;
                        }
                    }

                    var owned = ManagedFieldsEntry.FindApplied(live, fieldManager);
                    if (!visitor.Next(owned.ValueKind == JsonValueKind.Object ? JsonMarshal.GetRawUtf8Value(owned) : default))
                    {
                        return false;
                    }

                    continue;
                }

                if (!visitor.Next(JsonMarshal.GetRawUtf8Value(p.Value)))
                {
                    return false;
                }
            }

            return true;
        }

        private interface ISegmentVisitor
        {
            bool Next(ReadOnlySpan<byte> segment);
        }

        private struct Builder(List<byte> bytes, List<int> lengths) : ISegmentVisitor
        {
            public readonly List<byte> Bytes => bytes;

            public readonly List<int> Lengths => lengths;

            public readonly bool Next(ReadOnlySpan<byte> segment)
            {
                bytes.AddRange(segment);
                lengths.Add(segment.Length);
                return true;
            }
        }

        private struct Cursor(byte[] bytes, int[] lengths) : ISegmentVisitor
        {
            private int _index;
            private int _offset;

            public readonly bool AtEnd => _index == lengths.Length;

            public bool Next(ReadOnlySpan<byte> segment)
            {
                if (_index == lengths.Length || lengths[_index] != segment.Length
                    || !segment.SequenceEqual(bytes.AsSpan(_offset, segment.Length)))
                {
                    return false;
                }

                _offset += segment.Length;
                _index++;
                return true;
            }
        }
    }
}
