using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace GitOps.Samples.WebHost;

/// <summary>
/// Collects the <c>GitOps.Sdk</c> meter with a <see cref="MeterListener"/> and writes it in the Prometheus text
/// exposition format (version 0.0.4): counters as <c>_total</c>, histograms as <c>_bucket</c>/<c>_sum</c>/<c>_count</c>,
/// dots turned into underscores and the unit <c>s</c> into a <c>_seconds</c> suffix. No OpenTelemetry package needed.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    /// <summary>The content type of the exposition format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] Bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, ConcurrentDictionary<string, Series>> _series = new();

    /// <summary>Initializes a new instance of the <see cref="PrometheusMetrics"/> class and starts listening.</summary>
    /// <param name="meterName">The meter to collect. <value>Default: <c>GitOps.Sdk</c>.</value></param>
    public PrometheusMetrics(string meterName = GitOps.Sdk.GitOpsTelemetry.Name)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                _series.TryAdd(instrument, new(StringComparer.Ordinal));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Writes every collected series.</summary>
    /// <returns>The exposition text.</returns>
    public string Render()
    {
        lock (_listener)
        {
            return RenderLocked();
        }
    }

    private string RenderLocked()
    {
        // An observable gauge reports the current series only (gitops.application.info changes its tags when an
        // application's sync or health changes): forget the series of the last scrape before collecting again.
        foreach (var (instrument, series) in _series)
        {
            if (IsObservableGauge(instrument))
            {
                series.Clear();
            }
        }

        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var (instrument, series) in _series.OrderBy(p => p.Key.Name, StringComparer.Ordinal))
        {
            var isHistogram = instrument is Histogram<double> or Histogram<long> or Histogram<int>;
            var isCounter = instrument is Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<double>;
            var name = MetricName(instrument, isCounter);
            var type = isHistogram ? "histogram" : isCounter ? "counter" : "gauge";
            text.Append("# HELP ").Append(name).Append(' ').Append(Escape(instrument.Description ?? instrument.Name, help: true)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, s) in series.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                lock (s)
                {
                    if (!isHistogram)
                    {
                        text.Append(name).Append(Braces(labels)).Append(' ').Append(Number(s.Sum)).Append('\n');
                        continue;
                    }

                    long cumulative = 0;
                    for (var b = 0; b < Bounds.Length; b++)
                    {
                        cumulative += s.Buckets[b];
                        text.Append(name).Append("_bucket").Append(Braces(labels, $"le=\"{Number(Bounds[b])}\"")).Append(' ').Append(cumulative).Append('\n');
                    }

                    text.Append(name).Append("_bucket").Append(Braces(labels, "le=\"+Inf\"")).Append(' ').Append(s.Count).Append('\n');
                    text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(s.Sum)).Append('\n');
                    text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(s.Count).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_series.TryGetValue(instrument, out var series))
        {
            return;
        }

        var labels = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            labels.Add($"{Sanitize(tag.Key)}=\"{Escape(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty, help: false)}\"");
        }

        labels.Sort(StringComparer.Ordinal);
        var s = series.GetOrAdd(string.Join(',', labels), _ => new Series(Bounds.Length));
        lock (s)
        {
            var isGauge = instrument is UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double> || instrument.IsObservable && instrument is not ObservableCounter<long> and not ObservableCounter<double>;
            s.Sum = isGauge && instrument.IsObservable ? value : s.Sum + value;
            s.Count++;
            var bucket = Array.FindIndex(Bounds, b => value <= b);
            if (bucket >= 0)
            {
                s.Buckets[bucket]++;
            }
        }
    }

    private static bool IsObservableGauge(Instrument instrument) =>
        instrument.IsObservable && instrument is not ObservableCounter<long> and not ObservableCounter<double> and not ObservableCounter<int>;

    private static string MetricName(Instrument instrument, bool counter)
    {
        var name = Sanitize(instrument.Name);
        name += instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => string.Empty,
        };
        return counter ? name + "_total" : name;
    }

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_' || chars[i] == ':'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string Escape(string value, bool help) =>
        help
            ? value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Braces(string labels, string? extra = null)
    {
        var all = string.IsNullOrEmpty(labels) ? extra : extra is null ? labels : labels + "," + extra;
        return string.IsNullOrEmpty(all) ? string.Empty : "{" + all + "}";
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Series(int buckets)
    {
        public double Sum { get; set; }

        public long Count { get; set; }

        public long[] Buckets { get; } = new long[buckets];
    }
}
