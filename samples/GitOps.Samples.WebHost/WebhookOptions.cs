namespace GitOps.Samples.WebHost;

/// <summary>Settings of <c>POST /hooks/git</c> (configuration section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>Gets or sets the shared secret the Git server signs push payloads with; without it every push is refused.</summary>
    public string? Secret { get; set; }
}
