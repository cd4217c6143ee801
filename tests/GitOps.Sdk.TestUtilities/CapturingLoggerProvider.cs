using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.TestUtilities;

/// <summary>Records every log entry: level, event id, category, message, structured fields, exception and the scopes it was logged in.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>Gets the entries, in the order they were logged.</summary>
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    /// <summary>Gets each entry as one line: <c>category Level: message [field=value, …] exception</c>.</summary>
    public IEnumerable<string> Lines => Entries.Select(static e => e.Line);

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc/>
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            var scopes = new List<object?>();
            owner._scopes.ForEachScope(static (scope, list) => list.Add(scope), scopes);
            owner.Entries.Enqueue(new LogEntry(logLevel, category, message, $"{category} {logLevel}: {message} [{fields}] {exception}")
            {
                EventId = eventId,
                Exception = exception,
                Scopes = scopes,
            });
        }
    }
}

/// <summary>One captured log entry.</summary>
/// <param name="Level">The level.</param>
/// <param name="Category">The logger category.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Line">The whole entry as one line, with structured fields and exception.</param>
public sealed record LogEntry(LogLevel Level, string Category, string Message, string Line)
{
    /// <summary>Gets the event id.</summary>
    public EventId EventId { get; init; }

    /// <summary>Gets the exception logged with the entry, if any.</summary>
    public Exception? Exception { get; init; }

    /// <summary>Gets the scopes the entry was logged in, outermost first.</summary>
    public IReadOnlyList<object?> Scopes { get; init; } = [];

    /// <summary>Gets the named properties of every scope (a later scope's value wins).</summary>
    public IReadOnlyDictionary<string, object?> ScopeProperties
    {
        get
        {
            var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var scope in Scopes)
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs)
                    {
                        properties[key] = value;
                    }
                }
            }

            return properties;
        }
    }
}
