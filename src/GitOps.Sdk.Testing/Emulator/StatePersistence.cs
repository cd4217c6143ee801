using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Saves the store to <c>state.json</c> in a folder and loads it back (for <c>gitops emulator --state-dir</c>).</summary>
internal static class StatePersistence
{
    private const string FileName = "state.json";

    public static void Save(EmulatorCore core, string directory)
    {
        Directory.CreateDirectory(directory);
        var objects = new JsonArray();
        lock (core.Store.Gate)
        {
            foreach (var key in core.Store.StorageKeys.Order(StringComparer.Ordinal))
            {
                foreach (var o in core.Store.AllOf(key).OrderBy(o => o.ResourceVersion))
                {
                    objects.Add(o.CloneNode());
                }
            }

            var state = new JsonObject
            {
                ["resourceVersion"] = core.Store.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                ["objects"] = objects,
            };
            var path = Path.Combine(directory, FileName);
            var temp = path + ".tmp";
            File.WriteAllText(temp, state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            File.Move(temp, path, overwrite: true);
        }
    }

    public static void Load(EmulatorCore core, string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return;
        }

        var state = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        if (state is null)
        {
            return;
        }

        var objects = (state["objects"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        // CRDs first so that their resources are served when the custom objects are restored.
        foreach (var crd in objects.Where(o => (string?)o["kind"] == "CustomResourceDefinition" && EmulatorCore.NamesAccepted(o)))
        {
            core.Registry.RegisterCrd(crd);
        }

        lock (core.Store.Gate)
        {
            foreach (var obj in objects)
            {
                var type = core.Registry.FindByKind((string?)obj["apiVersion"] ?? string.Empty, (string?)obj["kind"] ?? string.Empty);
                if (type is null)
                {
                    continue;
                }

                var rv = long.TryParse((string?)obj["metadata"]?["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 1;
                core.Store.PutLocked(type.StorageKey, new StoredObject((JsonObject)obj.DeepClone(), rv), created: true);
            }
        }

        var savedRv = long.TryParse((string?)state["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 1;
        core.Store.RestoreResourceVersion(savedRv);
    }
}
