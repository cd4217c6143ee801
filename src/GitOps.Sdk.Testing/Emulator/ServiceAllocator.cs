using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The Service IP and node-port allocators: a cluster IP (kept across updates), and node ports for NodePort and LoadBalancer Services.</summary>
internal sealed class ServiceAllocator
{
    private readonly ClusterIpAllocator _ips = new();
    private readonly HashSet<int> _nodePorts = [];
    private int _nextNodePort = 30000;

    public void Allocate(ResourceType type, JsonObject? live, JsonObject obj, bool dryRun)
    {
        if (type.Group.Length != 0 || type.Kind != "Service" || obj["spec"] is not JsonObject spec)
        {
            return;
        }

        var serviceType = (string?)spec["type"];
        if (serviceType == "ExternalName")
        {
            return;
        }

        var liveSpec = live?["spec"] as JsonObject;
        if (spec["clusterIP"] is null || (string?)spec["clusterIP"] == string.Empty)
        {
            spec["clusterIP"] = liveSpec?["clusterIP"]?.DeepClone() ?? (dryRun ? _ips.Peek() : _ips.Allocate());
        }

        if (spec["clusterIPs"] is null)
        {
            spec["clusterIPs"] = new JsonArray(spec["clusterIP"]!.DeepClone());
        }

        if ((string?)spec["clusterIP"] != "None")
        {
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
        }
        else
        {
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
        }

        if (serviceType is "NodePort" or "LoadBalancer")
        {
            foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (port["nodePort"] is null)
                {
                    var livePort = (liveSpec?["ports"] as JsonArray)?.OfType<JsonObject>()
                        .FirstOrDefault(p => JsonNode.DeepEquals(p["port"], port["port"]) && (string?)p["protocol"] == (string?)port["protocol"]);
                    port["nodePort"] = livePort?["nodePort"]?.DeepClone() ?? AllocateNodePort();
                }
            }
        }
    }

    /// <summary>Frees the cluster IP of a deleted Service.</summary>
    public void Release(ResourceType type, StoredObject stored)
    {
        if (type.Group.Length == 0 && type.Kind == "Service" && (string?)stored.Node["spec"]?["clusterIP"] is string ip)
        {
            _ips.Release(ip);
        }
    }

    private int AllocateNodePort()
    {
        while (_nodePorts.Contains(_nextNodePort))
        {
            _nextNodePort++;
        }

        _nodePorts.Add(_nextNodePort);
        return _nextNodePort++;
    }
}

/// <summary>Allocates Service cluster IPs from 10.96.0.0/12 like a default cluster.</summary>
internal sealed class ClusterIpAllocator
{
    private readonly HashSet<uint> _used = [];
    private uint _next = (10u << 24) | (96u << 16) | 10;

    public string Allocate()
    {
        var ip = Peek();
        _used.Add(Parse(ip));
        return ip;
    }

    public string Peek()
    {
        var candidate = _next;
        while (_used.Contains(candidate))
        {
            candidate++;
        }

        _next = candidate;
        return Format(candidate);
    }

    public void Release(string ip) => _used.Remove(Parse(ip));

    private static uint Parse(string ip)
    {
        var parts = ip.Split('.');
        return parts.Length != 4 ? 0 : parts.Aggregate(0u, (acc, p) => (acc << 8) | (uint.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 0));
    }

    private static string Format(uint ip) => string.Create(CultureInfo.InvariantCulture, $"{ip >> 24}.{(ip >> 16) & 255}.{(ip >> 8) & 255}.{ip & 255}");
}
