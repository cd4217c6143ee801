namespace GitOps.Sdk;

/// <summary>
/// The GitOps configuration (the <c>GitOps</c> section, the options set in code and the options of every package added
/// to the builder) has problems; thrown when the host starts (or when the engine's options are first read), listing
/// every problem at once. Each entry names the configuration path or the setting, e.g.
/// <c>GitOps:Applications:web:Intervall is not a known key (did you mean Interval?)</c>.
/// </summary>
/// <example>
/// <code>
/// try
/// {
///     await host.StartAsync();
/// }
/// catch (GitOpsConfigurationException ex)
/// {
///     Console.Error.WriteLine(ex.Message); // one block: a heading and one line per problem
///     return 1;
/// }
/// </code>
/// </example>
public sealed class GitOpsConfigurationException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="errors">The problems, one message each.</param>
    public GitOpsConfigurationException(IEnumerable<string> errors)
        : this(errors is null ? [] : [.. errors])
    {
    }

    private GitOpsConfigurationException(string[] errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    /// <summary>Gets the problems, one message each, in the order they were found.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Format(string[] errors)
    {
        var heading = errors.Length == 1 ? "The GitOps configuration has 1 problem:" : $"The GitOps configuration has {errors.Length} problems:";
        return string.Join(Environment.NewLine, [heading, .. errors.Select(static e => "  - " + e)]);
    }
}
