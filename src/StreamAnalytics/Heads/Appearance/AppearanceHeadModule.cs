using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Appearance;

/// <summary>The appearance anomaly detector (<c>Detection.Anomaly</c>), on models with an <c>embedding</c> output, or, with <c>Regions</c>, a <c>featureMap</c> one.</summary>
internal sealed class AppearanceHeadModule : IHeadModule
{
    private HeadContext? _context;
    private AppearanceWindowHead? _head;
    private RegionLayout? _regions;

    public string Name => "appearance";

    public void Check(HeadContext context, ICollection<string> problems)
    {
        _context = context;
        if (context is { Options.Detection.Anomaly: { Enabled: true, Regions: true }, Backbone: { } backbone } && !backbone.Outputs.Any(o => o.Role == OutputRole.FeatureMap))
        {
            problems.Add($"Detection.Anomaly.Regions compares the backbone's feature map cell by cell; model '{backbone.Name}' ({backbone.ManifestPath}) has no output with role featureMap: use models/resnet18/model-featuremap.json, or turn Regions off.");
        }
    }

    public void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems)
    {
        _context = context;
        if (context.Options.Detection.Anomaly is not { Enabled: true, Regions: true })
        {
            return;
        }

        var outputs = backbone.Manifest.Outputs;
        var map = outputs.ToList().FindIndex(o => o.Role == OutputRole.FeatureMap);
        var embedding = outputs.ToList().FindIndex(o => o.Role == OutputRole.Embedding);
        if (map < 0)
        {
            // Check has said so.
            return;
        }

        // The map is channel-major (C×H×W); its channels are those the embedding pools, one value each.
        var mapLength = backbone.OutputItemSizes[map];
        var channels = embedding >= 0 ? backbone.OutputItemSizes[embedding] : 0;
        if (channels <= 0 || mapLength % channels != 0)
        {
            problems.Add($"Detection.Anomaly.Regions reads feature map '{outputs[map].Name}' as one cell vector per embedding channel: {mapLength} values are not a multiple of {channels} channels.");
            return;
        }

        _regions = new RegionLayout(map, backbone.OutputItemSizes.Take(map).Sum(), channels, mapLength / channels);
    }

    public IFrameHead? CreateFrameHead(CameraOptions camera) => null;

    public IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers)
    {
        if (_context is not { Options.Detection.Anomaly: { Enabled: true } anomaly } context)
        {
            return null;
        }

        _head = new AppearanceWindowHead(anomaly, loggers.CreateLogger<AppearanceWindowHead>(), context.Options.Pipeline.StateDirectory, metrics.AppearanceRelearned, _regions);
        return _head;
    }

    public string? Describe() => _regions is { } r ? $"appearance per region: {r.Cells} cells of {r.Channels} channels" : null;

    public void Dispose() => _head?.Dispose();
}
