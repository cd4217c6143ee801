using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// The CustomResourceDefinition controllers: naming and establishing (after the configured delay, on the emulator's
/// clock), serving a CRD's resources once its names are accepted, and removing them with the CRD. Also shapes a CRD's
/// status the way the Go types serialize it.
/// </summary>
internal sealed class CrdController
{
    private readonly EmulatorCore _core;
    private readonly TimeProvider _time;
    private readonly TimeSpan _establishDelay;
    private readonly Dictionary<string, ITimer> _establishing = new(StringComparer.Ordinal);

    public CrdController(EmulatorCore core, TimeProvider time, TimeSpan establishDelay)
    {
        _core = core;
        _time = time;
        _establishDelay = establishDelay;
    }

    public static bool IsCrd(ResourceType type) => type.Group == "apiextensions.k8s.io" && type.Kind == "CustomResourceDefinition";

    /// <summary>Whether the naming controller accepted a CRD's names: from then on its resources are served.</summary>
    public static bool NamesAccepted(JsonObject crd) =>
        (crd["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => (string?)c["type"] is "NamesAccepted" or "Established" && (string?)c["status"] == "True");

    /// <summary>After a CRD was written: serve it when its names are accepted, else schedule their acceptance.</summary>
    public void AfterWrite(ResourceType type, StoredObject crd)
    {
        if (NamesAccepted(crd.Node))
        {
            _core.Registry.RegisterCrd(crd.Node);
        }
        else
        {
            ScheduleEstablishment(type, crd.Node);
        }
    }

    /// <summary>After a CRD is gone: its custom objects go with it and its resources are no longer served.</summary>
    public void AfterDelete(StoredObject crd)
    {
        var group = (string?)crd.Node["spec"]?["group"] ?? string.Empty;
        var plural = (string?)crd.Node["spec"]?["names"]?["plural"] ?? string.Empty;
        var key = group + "/" + plural;
        foreach (var o in _core.Store.AllOf(key).ToList())
        {
            var rv = _core.Store.NextResourceVersion();
            var node = o.CloneNode();
            ManagedFields.Meta(node)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            _core.Store.RemoveLocked(key, new StoredObject(node, rv));
        }

        _core.Registry.UnregisterCrd(crd.Node);
    }

    /// <summary>Serves the CRDs of a restored state and resumes establishing the ones not accepted yet.</summary>
    public void Restore()
    {
        var type = _core.Registry.FindByKind("apiextensions.k8s.io/v1", "CustomResourceDefinition")!;
        lock (_core.Store.Gate)
        {
            foreach (var crd in _core.Store.AllOf(type.StorageKey).ToList())
            {
                AfterWrite(type, crd);
            }
        }
    }

    /// <summary>Stops the pending establishment timers (the emulator stops).</summary>
    public void StopTimers()
    {
        lock (_core.Store.Gate)
        {
            foreach (var timer in _establishing.Values)
            {
                timer.Dispose();
            }

            _establishing.Clear();
        }
    }

    /// <summary>
    /// The Go types serialize <c>status.conditions</c> and <c>acceptedNames.plural/kind</c> even when empty
    /// (<c>"conditions":null</c>), and in Go field order.
    /// </summary>
    public static void ShapeStatus(JsonObject crd)
    {
        if (crd["status"] is not JsonObject status)
        {
            return;
        }

        var shaped = new JsonObject { ["conditions"] = status["conditions"]?.DeepClone() };
        var accepted = status["acceptedNames"] as JsonObject ?? new JsonObject();
        var names = new JsonObject { ["plural"] = accepted["plural"]?.DeepClone() ?? string.Empty };
        foreach (var (key, value) in accepted)
        {
            if (key != "plural")
            {
                names[key] = value?.DeepClone();
            }
        }

        names["kind"] ??= string.Empty;
        shaped["acceptedNames"] = names;
        shaped["storedVersions"] = status["storedVersions"]?.DeepClone() ?? new JsonArray();
        foreach (var (key, value) in status)
        {
            if (!shaped.ContainsKey(key))
            {
                shaped[key] = value?.DeepClone();
            }
        }

        crd["status"] = shaped;
    }

    /// <summary>The naming and establishing controllers run after the configured delay, on the emulator's clock.</summary>
    private void ScheduleEstablishment(ResourceType type, JsonObject crd)
    {
        var uid = (string?)crd["metadata"]?["uid"];
        var name = (string?)crd["metadata"]?["name"];
        if (uid is null || name is null || _establishing.ContainsKey(uid))
        {
            return;
        }

        if (_establishDelay <= TimeSpan.Zero)
        {
            Establish(type, name, uid);
            return;
        }

        _establishing[uid] = _time.CreateTimer(_ => Establish(type, name, uid), null, _establishDelay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Accepts the names (the resources are served from here on), then marks the CRD <c>Established</c>: two status writes, like a real server.</summary>
    private void Establish(ResourceType type, string name, string uid)
    {
        lock (_core.Store.Gate)
        {
            if (_establishing.Remove(uid, out var timer))
            {
                timer.Dispose();
            }

            var live = _core.Store.Get(type.StorageKey, string.Empty, name);
            if (live is null || (string?)live.Node["metadata"]?["uid"] != uid || live.Node["metadata"]?["deletionTimestamp"] is not null
                || NamesAccepted(live.Node))
            {
                return;
            }

            var now = _core.Now();
            var accepting = live.CloneNode();
            var status = Defaults.Obj(accepting, "status");
            status["conditions"] = new JsonArray(
                Condition("NamesAccepted", "True", "NoConflicts", "no conflicts found", now),
                Condition("Established", "False", "Installing", "the initial names have been accepted", now));
            status["acceptedNames"] = accepting["spec"]?["names"]?.DeepClone();
            var accepted = WriteStatus(type, live, accepting, now);
            _core.Registry.RegisterCrd(accepted.Node);

            var establishing = accepted.CloneNode();
            ((JsonArray)establishing["status"]!["conditions"]!)[1] =
                Condition("Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now);
            WriteStatus(type, accepted, establishing, now);
        }
    }

    private StoredObject WriteStatus(ResourceType type, StoredObject live, JsonObject updated, string now)
    {
        ManagedFields.Update(live.Node, updated, type.Schema, "Go-http-client", type.ApiVersion, "status", now);
        ShapeStatus(updated);
        var rv = _core.Store.NextResourceVersion();
        ManagedFields.Meta(updated)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        var stored = new StoredObject(ServerFieldOrder.Normalize(updated), rv);
        _core.Store.PutLocked(type.StorageKey, stored, false);
        return stored;
    }

    private static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };
}
