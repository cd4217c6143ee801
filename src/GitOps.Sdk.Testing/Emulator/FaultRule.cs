namespace GitOps.Sdk.Testing;

/// <summary>
/// A rule that makes matching requests to a <see cref="KubeApiEmulator"/> fail or slow down. Every set property
/// must match; unset properties match anything.
/// </summary>
/// <example>
/// <code>
/// api.Faults.Add(new FaultRule { Verb = "patch", Resource = "configmaps", StatusCode = 500, Times = 1 });
/// api.Faults.Add(new FaultRule { Verb = "list", StatusCode = 429, RetryAfter = TimeSpan.FromSeconds(1) });
/// api.Faults.Add(new FaultRule { Verb = "watch", DropWatch = true });
/// </code>
/// </example>
public sealed class FaultRule
{
    private int _hits;

    /// <summary>Gets the HTTP method to match (<c>GET</c>, <c>PATCH</c>, …), or <see langword="null"/> for any.</summary>
    public string? Method { get; init; }

    /// <summary>Gets the Kubernetes verb to match (<c>get</c>, <c>list</c>, <c>watch</c>, <c>create</c>, <c>update</c>, <c>patch</c>, <c>apply</c>, <c>delete</c>, <c>deletecollection</c>), or <see langword="null"/> for any.</summary>
    public string? Verb { get; init; }

    /// <summary>Gets the resource (plural, e.g. <c>deployments</c>) to match, or <see langword="null"/> for any.</summary>
    public string? Resource { get; init; }

    /// <summary>Gets the namespace to match, or <see langword="null"/> for any.</summary>
    public string? Namespace { get; init; }

    /// <summary>Gets the object name to match, or <see langword="null"/> for any.</summary>
    public string? Name { get; init; }

    /// <summary>Gets a substring the request path must contain, or <see langword="null"/> for any.</summary>
    public string? PathContains { get; init; }

    /// <summary>Gets the status code to answer with (500, 429, 409, 503, …); 0 lets the request through (after <see cref="Delay"/>).</summary>
    /// <value>Default 0.</value>
    public int StatusCode { get; init; }

    /// <summary>Gets the <c>Retry-After</c> header sent with the failure (typically with 429), or <see langword="null"/>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets a delay before the request is answered (slow responses), or <see langword="null"/>.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Gets a value indicating whether a matching watch is accepted and then closed at once (a dropped watch connection).</summary>
    public bool DropWatch { get; init; }

    /// <summary>Gets the message of the <c>Status</c> body, or <see langword="null"/> for a default one.</summary>
    public string? Message { get; init; }

    /// <summary>Gets how many requests the rule affects before it expires, or <see langword="null"/> for no limit.</summary>
    public int? Times { get; init; }

    /// <summary>Gets how many requests this rule has affected.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Gets a value indicating whether the rule has used up its <see cref="Times"/>.</summary>
    public bool Exhausted => Times is int t && Hits >= t;

    internal bool Matches(string method, string verb, string? resource, string? ns, string? name, string path) =>
        (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && (Verb is null || string.Equals(Verb, verb, StringComparison.OrdinalIgnoreCase))
        && (Resource is null || string.Equals(Resource, resource, StringComparison.OrdinalIgnoreCase))
        && (Namespace is null || Namespace == ns)
        && (Name is null || Name == name)
        && (PathContains is null || path.Contains(PathContains, StringComparison.Ordinal));

    internal bool TryConsume()
    {
        while (true)
        {
            var current = Volatile.Read(ref _hits);
            if (Times is int t && current >= t)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _hits, current + 1, current) == current)
            {
                return true;
            }
        }
    }
}

/// <summary>The fault rules of a <see cref="KubeApiEmulator"/>; the first matching, unexhausted rule applies.</summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly List<FaultRule> _rules = [];

    /// <summary>Adds a rule.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The same rule (to read <see cref="FaultRule.Hits"/> later).</returns>
    public FaultRule Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Removes a rule.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns><see langword="true"/> when it was present.</returns>
    public bool Remove(FaultRule rule)
    {
        lock (_gate)
        {
            return _rules.Remove(rule);
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    internal FaultRule? Match(string method, string verb, string? resource, string? ns, string? name, string path)
    {
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (!rule.Exhausted && rule.Matches(method, verb, resource, ns, name, path) && rule.TryConsume())
                {
                    return rule;
                }
            }

            return null;
        }
    }
}
