using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.TestUtilities;

/// <summary>Records every log entry: level, category, message, structured fields and exception.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    /// <summary>Gets the entries, in the order they were logged.</summary>
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    /// <summary>Gets each entry as one line: <c>category Level: message [field=value, …] exception</c>.</summary>
    public IEnumerable<string> Lines => Entries.Select(static e => e.Line);

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            owner.Entries.Enqueue(new LogEntry(logLevel, category, message, $"{category} {logLevel}: {message} [{fields}] {exception}"));
        }
    }
}

/// <summary>One captured log entry.</summary>
/// <param name="Level">The level.</param>
/// <param name="Category">The logger category.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Line">The whole entry as one line, with structured fields and exception.</param>
public sealed record LogEntry(LogLevel Level, string Category, string Message, string Line);
