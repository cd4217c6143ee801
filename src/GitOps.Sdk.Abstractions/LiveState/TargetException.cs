namespace GitOps.Sdk;

/// <summary>
/// The target (cluster) refused or failed a call: an API error, a kind it does not serve, an answer that could not be
/// read. A routine failure, not a bug: the engine logs it as one Warning line without a stack trace and tries again on
/// the next reconcile. Targets derive their exceptions from it.
/// </summary>
public class TargetException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public TargetException()
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What failed, naming the call.</param>
    public TargetException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What failed, naming the call.</param>
    /// <param name="innerException">The cause.</param>
    public TargetException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
