using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// Keeps the store in a folder (for <c>gitops emulator --state-dir</c>) so that it survives a crash or a SIGKILL:
/// <c>state.json</c> is a snapshot (written to a temporary file, flushed, then renamed over the old one) and
/// <c>changes.jsonl</c> an append-only log of every change since, each line flushed to disk before the write is answered.
/// At start the snapshot is loaded, the log replayed (a torn last line, the write the kill interrupted, is ignored)
/// and both are folded into a new snapshot.
/// </summary>
internal sealed class StatePersistence : IDisposable
{
    private const string SnapshotName = "state.json";
    private const string LogName = "changes.jsonl";
    private readonly EmulatorCore _core;
    private readonly string _directory;
    private FileStream? _log;

    private StatePersistence(EmulatorCore core, string directory)
    {
        _core = core;
        _directory = directory;
    }

    /// <summary>Loads the folder's state into the store and logs every later change to it.</summary>
    public static StatePersistence Open(EmulatorCore core, string directory)
    {
        Directory.CreateDirectory(directory);
        var persistence = new StatePersistence(core, directory);
        lock (core.Store.Gate)
        {
            persistence.Load();
            persistence.CompactLocked();
            core.Store.Changed = persistence.Append;
        }

        return persistence;
    }

    /// <summary>Folds the log into a new snapshot now.</summary>
    public void Compact()
    {
        lock (_core.Store.Gate)
        {
            if (_log is not null)
            {
                CompactLocked();
            }
        }
    }

    public void Dispose()
    {
        lock (_core.Store.Gate)
        {
            if (_log is null)
            {
                return;
            }

            _core.Store.Changed = null;
            CompactLocked();
            _log.Dispose();
            _log = null;
        }
    }

    private void Append(string storageKey, StoredObject obj, bool deleted)
    {
        if (_log is null)
        {
            return;
        }

        var head = "{\"op\":\"" + (deleted ? "delete" : "put") + "\",\"key\":" + JsonSerializer.Serialize(storageKey, JsonValues.Wire)
            + ",\"rv\":" + obj.ResourceVersion.ToString(CultureInfo.InvariantCulture) + ",\"object\":";
        _log.Write(Encoding.UTF8.GetBytes(head));
        _log.Write(obj.Bytes);
        _log.Write("}\n"u8);
        _log.Flush(flushToDisk: true);
    }

    private void CompactLocked()
    {
        var objects = new JsonArray();
        foreach (var key in _core.Store.StorageKeys.Order(StringComparer.Ordinal))
        {
            foreach (var o in _core.Store.AllOf(key).OrderBy(o => o.ResourceVersion))
            {
                objects.Add(new JsonObject { ["key"] = key, ["object"] = o.CloneNode() });
            }
        }

        var state = new JsonObject
        {
            ["resourceVersion"] = _core.Store.ResourceVersion.ToString(CultureInfo.InvariantCulture),
            ["objects"] = objects,
        };
        var path = Path.Combine(_directory, SnapshotName);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(JsonSerializer.SerializeToUtf8Bytes(state, new JsonSerializerOptions { WriteIndented = true }));
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        // Entries up to the snapshot's resourceVersion are skipped at load, so a kill between the rename and this truncation loses nothing.
        _log?.Dispose();
        _log = new FileStream(Path.Combine(_directory, LogName), FileMode.Create, FileAccess.Write, FileShare.Read);
        _log.Flush(flushToDisk: true);
    }

    private void Load()
    {
        var snapshotRv = LoadSnapshot();
        var logPath = Path.Combine(_directory, LogName);
        if (!File.Exists(logPath))
        {
            return;
        }

        var highest = snapshotRv;
        foreach (var line in File.ReadLines(logPath))
        {
            JsonObject? entry;
            try
            {
                entry = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                break; // The line the kill cut short: its write was never answered.
            }

            if (entry?["object"] is not JsonObject obj || (string?)entry["key"] is not string storageKey || JsonValues.Long(entry["rv"]) is not long rv)
            {
                break;
            }

            if (rv <= snapshotRv)
            {
                continue;
            }

            var stored = new StoredObject((JsonObject)obj.DeepClone(), rv);
            if ((string?)entry["op"] == "delete")
            {
                _core.Store.RemoveLocked(storageKey, stored);
            }
            else
            {
                var exists = _core.Store.Get(storageKey, stored.Namespace, stored.Name) is not null;
                _core.Store.PutLocked(storageKey, stored, created: !exists);
            }

            highest = Math.Max(highest, rv);
        }

        _core.Store.RestoreResourceVersion(highest);
    }

    private long LoadSnapshot()
    {
        var path = Path.Combine(_directory, SnapshotName);
        if (!File.Exists(path) || JsonNode.Parse(File.ReadAllText(path)) is not JsonObject state)
        {
            return 0;
        }

        var entries = (state["objects"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var entry in entries)
        {
            // Older snapshots hold bare objects; their storage key comes from the served kinds (CRDs first).
            var obj = entry["object"] as JsonObject ?? entry;
            if ((string?)obj["kind"] == "CustomResourceDefinition" && CrdController.NamesAccepted(obj))
            {
                _core.Registry.RegisterCrd(obj);
            }
        }

        foreach (var entry in entries)
        {
            var obj = entry["object"] as JsonObject ?? entry;
            var storageKey = (string?)entry["key"]
                ?? _core.Registry.FindByKind((string?)obj["apiVersion"] ?? string.Empty, (string?)obj["kind"] ?? string.Empty)?.StorageKey;
            if (storageKey is null)
            {
                continue;
            }

            var rv = long.TryParse((string?)obj["metadata"]?["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 1;
            _core.Store.PutLocked(storageKey, new StoredObject((JsonObject)obj.DeepClone(), rv), created: true);
        }

        var savedRv = long.TryParse((string?)state["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 1;
        _core.Store.RestoreResourceVersion(savedRv);
        return savedRv;
    }
}
