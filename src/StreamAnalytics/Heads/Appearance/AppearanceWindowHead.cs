using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Heads.Appearance;

/// <summary>
/// The appearance anomaly head: each window's embedding (the output with role <c>embedding</c>) against what
/// the camera's first windows looked like (<see cref="AnomalyDetector"/>, one per camera). With a state directory, a
/// camera's calibration is saved once it is complete (<see cref="AppearanceStateFile"/>) and a restart resumes from it
/// instead of taking its first windows as normal again, whatever they show. Every
/// <see cref="AnomalyOptions.RefreshMinutes"/> of footage windows that raised nothing join it and those the rest covers
/// best leave, and once a change has alerted for <see cref="AnomalyOptions.LastingChangeMinutes"/> all of it by the change's windows;
/// each is saved again. With <see cref="AnomalyOptions.Regions"/> it compares the window's mean feature map cell by cell
/// (<see cref="RegionMetric"/>) instead of its embedding.
/// </summary>
/// <param name="relearned">Counts both, by camera and reason, when given.</param>
/// <param name="regions">Where the frames' feature map is, when <see cref="AnomalyOptions.Regions"/> is on.</param>
internal sealed partial class AppearanceWindowHead(AnomalyOptions options, ILogger logger, string? stateDirectory = null, Prometheus.Counter? relearned = null, RegionLayout? regions = null) : IWindowHead, ICameraLearning
{
    public const string HeadName = "embedding-knn";
    public const string RegionHeadName = "region-knn";
    public const string HeadVersion = "1";

    // The window's mean feature map, on the inference thread only; the detector keeps its own copy.
    private float[]? _map;

    // Written on the inference thread; read and pruned by the API.
    private readonly ConcurrentDictionary<string, AnomalyDetector> _detectors = new(StringComparer.Ordinal);

    // What a saved calibration must have come from; formatted once per model, not per window.
    private (ModelManifest Model, int Output, int Length, string Key)? _modelKey;

    public event Action<string>? ProgressChanged;

    public string Name => regions is null ? HeadName : RegionHeadName;

    public void Evaluate(in WindowOutputs window, ICollection<HeadResult> results)
    {
        if (regions is { } layout)
        {
            // A window whose frames were not all encoded (none in the live pipeline) has no map to compare.
            if (MeanMap(window.Window, layout) is { } map)
            {
                Evaluate(window, layout.Output, map, results);
            }

            return;
        }

        for (var o = 0; o < window.Model.Outputs.Count; o++)
        {
            if (window.Model.Outputs[o].Role == OutputRole.Embedding)
            {
                Evaluate(window, o, window.Outputs[o], results);
            }
        }
    }

    private float[]? MeanMap(Windowing.Window? window, RegionLayout layout)
    {
        if (window is null || window.Length == 0)
        {
            return null;
        }

        var map = _map ??= new float[layout.Length];
        Array.Clear(map);
        foreach (var slot in window.Frames)
        {
            if (!slot.HasFeatures || slot.Features is not { } features || features.Length < layout.Offset + layout.Length)
            {
                return null;
            }

            System.Numerics.Tensors.TensorPrimitives.Add(map, features.AsSpan(layout.Offset, layout.Length), map);
        }

        System.Numerics.Tensors.TensorPrimitives.Divide(map, window.Length, map);
        return map;
    }

    private void Evaluate(in WindowOutputs window, int output, ReadOnlySpan<float> values, ICollection<HeadResult> results)
    {
        var modelKey = ModelKey(window.Model, output, values.Length);
        var detector = DetectorFor(window.CameraId, modelKey);
        var learning = !detector.IsCalibrated;
        var generation = detector.Generation;
        var changes = detector.ChangesLearned;
        var score = detector.Observe(values, window.LastCaptureTime);
        if (detector.Generation != generation)
        {
            if (detector.ChangesLearned != changes)
            {
                LogChangeLearned(window.CameraId, detector.LastChangeLearnedAfter.TotalMinutes, detector.Threshold);
                relearned?.WithLabels(window.CameraId, RelearnReason.LastingChange).Inc();
            }
            else if (!learning)
            {
                LogRefreshed(window.CameraId, detector.QuietWindowsSeen, detector.Threshold);
                relearned?.WithLabels(window.CameraId, RelearnReason.Refresh).Inc();
            }
            else
            {
                // As the motion head says when it has learned: an operator sees when alerts can start, and at what threshold.
                LogCalibrated(window.CameraId, detector.LearnedWindows, detector.Threshold);
            }

            Save(window.CameraId, modelKey, detector);
        }

        if (learning)
        {
            // Tenths of the calibration, and its end: enough for a status line, never a message per window.
            if (detector.IsCalibrated || (detector.LearnedWindows * 10 / options.CalibrationWindowCount) != ((detector.LearnedWindows - 1) * 10 / options.CalibrationWindowCount))
            {
                ProgressChanged?.Invoke(window.CameraId);
            }
        }

        if (score is { } s)
        {
            results.Add(new HeadResult(Name, HeadVersion, HeadKind.Anomaly, AnomalyKind.Appearance, s.Score, s.Threshold, s.IsAnomalous));
        }
    }

    private string ModelKey(ModelManifest model, int output, int length)
    {
        if (_modelKey is not { } key || key.Model != model || key.Output != output || key.Length != length)
        {
            key = (model, output, length, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"model {model.Name} {model.Version}, output {model.Outputs[output].Name} of {length}"));
            _modelKey = key;
        }

        return key.Key;
    }

    // Per region, scores are multiples of a cell's scale: the margin is the threshold.
    private double? FixedThreshold => regions is null ? options.Threshold : options.RegionMargin;

    private IWindowMetric NewMetric(IReadOnlyList<double>? scales) =>
        regions is { } layout ? new RegionMetric(layout.Channels, layout.Cells, Math.Min(options.RegionMinCells, layout.Cells), scales) : WholeFrameMetric.Instance;

    private TimeSpan? RefreshInterval => options.RefreshMinutes > 0 ? TimeSpan.FromMinutes(options.RefreshMinutes) : null;

    private TimeSpan? LastingChange => options.LastingChangeMinutes > 0 ? TimeSpan.FromMinutes(options.LastingChangeMinutes) : null;

    private AnomalyDetector DetectorFor(string cameraId, string modelKey)
    {
        if (!_detectors.TryGetValue(cameraId, out var detector))
        {
            detector = Restored(cameraId, modelKey) ?? new AnomalyDetector(options.CalibrationWindowCount, FixedThreshold, options.Sigma, options.MinThreshold, RefreshInterval, LastingChange, NewMetric(null));
            _detectors[cameraId] = detector;
            if (!detector.IsCalibrated)
            {
                LogCalibrating(cameraId, options.CalibrationWindowCount);
            }
        }

        return detector;
    }

    private AnomalyDetector? Restored(string cameraId, string modelKey)
    {
        if (stateDirectory is null || AppearanceStateFile.PathFor(stateDirectory, cameraId) is not { } path || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var (normal, spread, scales) = AppearanceStateFile.Load(path, cameraId, modelKey);
            if (normal.Count != options.CalibrationWindowCount)
            {
                LogRefused(cameraId, $"it holds {normal.Count} windows and Detection.Anomaly.CalibrationWindows is {options.CalibrationWindowCount}");
                return null;
            }

            if (scales.Length != (regions?.Cells ?? 0))
            {
                LogRefused(cameraId, regions is null ? "it was learned cell by cell (Detection.Anomaly.Regions)" : $"it holds {scales.Length} cell scales, where the feature map has {regions.Value.Cells} cells");
                return null;
            }

            var detector = AnomalyDetector.Restore(options.CalibrationWindowCount, FixedThreshold, options.Sigma, options.MinThreshold, normal, RefreshInterval, spread, LastingChange, NewMetric(regions is null ? null : scales));
            LogResumed(cameraId, normal.Count, detector.Threshold);
            ProgressChanged?.Invoke(cameraId);
            return detector;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            LogRefused(cameraId, ex.Message);
            return null;
        }
    }

    private void Save(string cameraId, string modelKey, AnomalyDetector detector)
    {
        if (stateDirectory is null)
        {
            return;
        }

        try
        {
            AppearanceStateFile.Save(AppearanceStateFile.PathFor(stateDirectory, cameraId), cameraId, modelKey, detector.Normal, detector.Spread, (detector.Metric as RegionMetric)?.Scales);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The camera scores on; it only calibrates again after a restart.
            LogNotSaved(cameraId, ex.Message);
        }
    }

    public double? LearningProgress(string cameraId) =>
        _detectors.TryGetValue(cameraId, out var detector) ? Math.Min(1.0, (double)detector.LearnedWindows / options.CalibrationWindowCount) : null;

    public void Forget(string cameraId)
    {
        _detectors.TryRemove(cameraId, out _);
        if (stateDirectory is null)
        {
            return;
        }

        try
        {
            File.Delete(AppearanceStateFile.PathFor(stateDirectory, cameraId));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotSaved(cameraId, ex.Message);
        }
    }

    public void Dispose()
    {
        // Embeddings are plain arrays.
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: learning what is normal from its first {Windows} windows")]
    private partial void LogCalibrating(string cameraId, int windows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: appearance head learned what is normal from {Windows} windows; threshold {Threshold:F3}. Scoring from now on")]
    private partial void LogCalibrated(string cameraId, int windows, double threshold);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: appearance head resumes from its saved calibration ({Windows} windows, threshold {Threshold:F3}), without learning first")]
    private partial void LogResumed(string cameraId, int windows, double threshold);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: appearance calibration refreshed from quiet windows ({QuietWindows} seen since calibration or restart; those the rest covers best gave way); threshold {Threshold:F3}, as calibrated")]
    private partial void LogRefreshed(string cameraId, long quietWindows, double threshold);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: a change that alerted for {Minutes:F1} minutes is now learned as normal (Detection.Anomaly.LastingChangeMinutes); its incident ends, threshold {Threshold:F3}")]
    private partial void LogChangeLearned(string cameraId, double minutes, double threshold);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: the saved appearance calibration is refused ({Reason}); the camera calibrates again and the new one replaces it")]
    private partial void LogRefused(string cameraId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: its appearance calibration could not be saved or deleted ({Reason})")]
    private partial void LogNotSaved(string cameraId, string reason);
}
