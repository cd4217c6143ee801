using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The HTTP plumbing every verb shares: query flags and selectors, reading request bodies, writing JSON answers.</summary>
internal static class ApiHttp
{
    public static bool IsTrue(string? value) => value is "true" or "1" or "True";

    public static bool IsDryRun(string? value) => value == "All";

    public static bool WantsTable(HttpContext context) =>
        context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    public static (Func<StoredObject, bool> Filter, string? Name) Filters(HttpContext context)
    {
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"]);
        Func<StoredObject, bool> filter = labels.IsEmpty && fields.IsEmpty
            ? _ => true
            : o => (labels.IsEmpty || labels.Matches(o.Labels)) && (fields.IsEmpty || fields.Matches(o.Node));
        return (filter, fields.ExactName);
    }

    public static async Task<byte[]> ReadBytesAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, JsonValues.Wire);
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task WritePageNotFoundAsync(HttpContext context)
    {
        var bytes = "404 page not found\n"u8.ToArray();
        context.Response.StatusCode = 404;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }
}
