using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The read verbs: get (an object, its scale, or a Table), and list with selectors, paging (continue tokens) and Tables.</summary>
internal sealed class ReadVerbs
{
    private readonly EmulatorCore _core;
    private readonly TimeProvider _time;

    public ReadVerbs(EmulatorCore core, TimeProvider time)
    {
        _core = core;
        _time = time;
    }

    public async Task GetAsync(HttpContext context, ResourceType type, string ns, RequestPath parsed)
    {
        var stored = _core.Store.Get(type.StorageKey, ns, parsed.Name!) ?? throw StatusErrors.NotFound(type, parsed.Name!);
        if (parsed.Subresource == "scale")
        {
            await ApiHttp.WriteJsonAsync(context, 200, ScaleView.From(type, stored.Node)).ConfigureAwait(false);
            return;
        }

        if (ApiHttp.WantsTable(context))
        {
            await ApiHttp.WriteJsonAsync(context, 200, Tables.ForObjects(type, [stored], stored.ResourceVersion.ToString(CultureInfo.InvariantCulture), null, _time)).ConfigureAwait(false);
            return;
        }

        await ApiHttp.WriteJsonAsync(context, 200, stored.Node).ConfigureAwait(false);
    }

    public async Task ListAsync(HttpContext context, ResourceType type, string? ns)
    {
        var (filter, _) = ApiHttp.Filters(context);
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 0;
        string? startAfter = null;
        var token = (string?)query["continue"];
        if (!string.IsNullOrEmpty(token))
        {
            startAfter = DecodeContinue(token);
        }

        var (items, listRv, nextKey) = _core.Store.List(type.StorageKey, ns, filter, limit, startAfter);
        var rvText = listRv.ToString(CultureInfo.InvariantCulture);
        if (ApiHttp.WantsTable(context))
        {
            await ApiHttp.WriteJsonAsync(context, 200, Tables.ForObjects(type, items, rvText, nextKey is null ? null : EncodeContinue(nextKey, listRv), _time)).ConfigureAwait(false);
            return;
        }

        // Items are written from their stored bytes: no per-request re-serialization.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonValues.Wire.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", type.ListKind);
            writer.WriteString("apiVersion", type.ApiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", rvText);
            if (nextKey is not null)
            {
                writer.WriteString("continue", EncodeContinue(nextKey, listRv));
            }

            writer.WriteEndObject();
            writer.WritePropertyName("items");
            writer.WriteStartArray();
            foreach (var item in items)
            {
                // Typed lists of built-in kinds carry no kind/apiVersion per item; custom resource lists do.
                writer.WriteRawValue(type.IsCustom ? item.Bytes : item.ItemBytes, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static string EncodeContinue(string key, long rv) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = key + "\u0000" }.ToJsonString()))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeContinue(string token)
    {
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            var json = JsonNode.Parse(Convert.FromBase64String(b64))!;
            var start = (string)json["start"]!;
            return start.TrimEnd('\u0000');
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException)
        {
            throw StatusErrors.BadRequest("continue key is not valid: " + e.Message);
        }
    }
}
