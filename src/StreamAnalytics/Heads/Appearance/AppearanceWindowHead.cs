using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Heads.Appearance;

/// <summary>
/// The appearance anomaly head: each window's embedding (the output with role <c>embedding</c>) against what
/// the camera's first windows looked like (<see cref="AnomalyDetector"/>, one per camera).
/// </summary>
internal sealed partial class AppearanceWindowHead(AnomalyOptions options, ILogger logger) : IWindowHead, ICameraLearning
{
    public const string HeadName = "embedding-knn";
    public const string HeadVersion = "1";

    // Written on the inference thread; read and pruned by the API.
    private readonly ConcurrentDictionary<string, AnomalyDetector> _detectors = new(StringComparer.Ordinal);

    public event Action<string>? ProgressChanged;

    public string Name => HeadName;

    public void Evaluate(in WindowOutputs window, ICollection<HeadResult> results)
    {
        for (var o = 0; o < window.Model.Outputs.Count; o++)
        {
            if (window.Model.Outputs[o].Role != OutputRole.Embedding)
            {
                continue;
            }

            var detector = DetectorFor(window.CameraId);
            var learning = !detector.IsCalibrated;
            var score = detector.Observe(window.Outputs[o]);
            if (learning)
            {
                // Tenths of the calibration, and its end: enough for a status line, never a message per window.
                if (detector.IsCalibrated || (detector.LearnedWindows * 10 / options.CalibrationWindows) != ((detector.LearnedWindows - 1) * 10 / options.CalibrationWindows))
                {
                    ProgressChanged?.Invoke(window.CameraId);
                }
            }

            if (score is { } s)
            {
                results.Add(new HeadResult(HeadName, HeadVersion, HeadKind.Anomaly, AnomalyKind.Appearance, s.Score, s.Threshold, s.IsAnomalous));
            }
        }
    }

    private AnomalyDetector DetectorFor(string cameraId)
    {
        if (!_detectors.TryGetValue(cameraId, out var detector))
        {
            detector = new AnomalyDetector(options.CalibrationWindows, options.Threshold, options.Sigma, options.MinThreshold);
            _detectors[cameraId] = detector;
            LogCalibrating(cameraId, options.CalibrationWindows);
        }

        return detector;
    }

    public double? LearningProgress(string cameraId) =>
        _detectors.TryGetValue(cameraId, out var detector) ? Math.Min(1.0, (double)detector.LearnedWindows / options.CalibrationWindows) : null;

    public void Forget(string cameraId) => _detectors.TryRemove(cameraId, out _);

    public void Dispose()
    {
        // Embeddings are plain arrays.
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: learning what is normal from its first {Windows} windows")]
    private partial void LogCalibrating(string cameraId, int windows);
}
