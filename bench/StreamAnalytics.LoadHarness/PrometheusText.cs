using System.Globalization;

namespace StreamAnalytics.LoadHarness;

/// <summary>A scrape of the pipeline's metrics endpoint: sums samples by name, optionally filtered by one label.</summary>
internal sealed class PrometheusText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    private PrometheusText(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            if (space <= 0)
            {
                continue;
            }

            var name = brace > 0 ? line[..brace] : line[..space];
            var labels = brace > 0 ? line[brace..(line.LastIndexOf('}') + 1)] : string.Empty;
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                _samples.Add((name, labels, value));
            }
        }
    }

    public static PrometheusText Empty { get; } = new(string.Empty);

    public static async Task<PrometheusText> ScrapeAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            var text = await http.GetStringAsync(url, cancellationToken).ConfigureAwait(false);
            using var overhead = HarnessOverhead.Measure();
            // The response string itself, roughly; HttpClient's own buffers are not counted.
            HarnessOverhead.Add(24 + (2L * text.Length));
            return new PrometheusText(text);
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"Metrics scrape failed: {ex.Message}");
            return Empty;
        }
    }

    /// <summary>Sum of every sample called <paramref name="name"/>, or only those whose labels contain <paramref name="label"/> (e.g. <c>reason="queue_full"</c>).</summary>
    public double Sum(string name, string? label = null) =>
        _samples.Where(s => s.Name == name && (label is null || s.Labels.Contains(label, StringComparison.Ordinal))).Sum(s => s.Value);
}
