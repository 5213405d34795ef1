using Microsoft.Extensions.Options;

namespace StreamAnalytics.Configuration;

/// <summary>
/// Checks the whole configuration and reports every problem at once, each naming its camera or section,
/// so an operator fixes a file in one pass instead of one restart per mistake.
/// </summary>
public sealed class StreamAnalyticsOptionsValidator : IValidateOptions<StreamAnalyticsOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamAnalyticsOptions options)
    {
        var errors = Collect(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Collect(StreamAnalyticsOptions options)
    {
        var errors = new List<string>();
        if (options.Cameras.Count == 0)
        {
            errors.Add("Cameras: at least one camera is required.");
        }

        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Cameras.Count; i++)
        {
            ValidateCamera(options.Cameras[i], i, seenIds, errors);
        }

        ValidateWindow(options.Window, "Window", errors);
        ValidateModel(options.Model, errors);
        ValidateDetection(options.Detection, errors);
        ValidateMqtt(options.Mqtt, errors);
        ValidateMetrics(options.Metrics, errors);
        if (options.Pipeline.DrainTimeoutSeconds is < 0 or > 600)
        {
            errors.Add($"Pipeline.DrainTimeoutSeconds must be between 0 and 600 (got {options.Pipeline.DrainTimeoutSeconds}).");
        }

        return errors;
    }

    private static void ValidateCamera(CameraOptions camera, int index, HashSet<string> seenIds, List<string> errors)
    {
        var where = string.IsNullOrWhiteSpace(camera.Id) ? $"Cameras[{index}]" : $"Cameras[{index}] (camera '{camera.Id}')";
        if (string.IsNullOrWhiteSpace(camera.Id))
        {
            errors.Add($"{where}: Id is required.");
        }
        else if (!CameraIdRule.IsValid(camera.Id))
        {
            errors.Add($"{where}: Id may hold only letters, digits, '-' and '_' (1 to 64 characters), since it is used in MQTT topics and metric labels.");
        }
        else if (!seenIds.Add(camera.Id))
        {
            errors.Add($"{where}: Id is used by another camera.");
        }

        if (string.IsNullOrWhiteSpace(camera.Url))
        {
            errors.Add($"{where}: Url is required (rtsp://, rtsps:// or a video file path).");
        }
        else if (!CameraUrl.TryParse(camera.Url, out _, out var urlError))
        {
            errors.Add($"{where}: Url {urlError}");
        }

        if (camera.Width is <= 0 or > 7680 || camera.Width % 2 == 1)
        {
            errors.Add($"{where}: Width must be an even number between 2 and 7680 (got {camera.Width}).");
        }

        if (camera.Height is <= 0 or > 4320 || camera.Height % 2 == 1)
        {
            errors.Add($"{where}: Height must be an even number between 2 and 4320 (got {camera.Height}).");
        }

        if (camera.RtspTransport is not ("tcp" or "udp"))
        {
            errors.Add($"{where}: RtspTransport must be 'tcp' or 'udp' (got '{camera.RtspTransport}').");
        }

        if (camera.QueueCapacity is < 1 or > 1024)
        {
            errors.Add($"{where}: QueueCapacity must be between 1 and 1024 (got {camera.QueueCapacity}).");
        }

        if (camera.Lifecycle is not null)
        {
            ValidateLifecycle(camera.Lifecycle, where + ": Lifecycle", errors);
        }

        foreach (var (label, lifecycle) in camera.LifecycleByLabel)
        {
            ValidateLifecycle(lifecycle, $"{where}: LifecycleByLabel['{label}']", errors);
        }

        if (camera.Window is not null)
        {
            ValidateWindow(camera.Window, where + ": Window", errors);
        }

        var r = camera.Reconnect;
        if (r.InitialDelaySeconds <= 0 || r.MaxDelaySeconds < r.InitialDelaySeconds)
        {
            errors.Add($"{where}: Reconnect needs 0 < InitialDelaySeconds <= MaxDelaySeconds (got {r.InitialDelaySeconds} and {r.MaxDelaySeconds}).");
        }

        if (r.WatchdogSeconds < 1)
        {
            errors.Add($"{where}: Reconnect.WatchdogSeconds must be at least 1 (got {r.WatchdogSeconds}).");
        }

        if (r.OfflineAfterSeconds < 0 || r.HealthyAfterSeconds < 0)
        {
            errors.Add($"{where}: Reconnect.OfflineAfterSeconds and HealthyAfterSeconds must not be negative.");
        }

        if (camera.DecoderThreads is < 0 or > 64)
        {
            errors.Add($"{where}: DecoderThreads must be between 0 (ffmpeg chooses) and 64 (got {camera.DecoderThreads}).");
        }

        if (camera.MaxFps is <= 0 or > 240)
        {
            errors.Add($"{where}: MaxFps must be between 0 and 240 (got {camera.MaxFps}).");
        }

        if (r.OpenTimeoutSeconds < 1)
        {
            errors.Add($"{where}: Reconnect.OpenTimeoutSeconds must be at least 1 (got {r.OpenTimeoutSeconds}).");
        }

        ValidatePolygons(camera.Masks, where + ": Masks", errors);
        ValidatePolygons(camera.Zones, where + ": Zones", errors);
        if (camera.Snapshot is not null)
        {
            ValidateSnapshot(camera.Snapshot, where + ": Snapshot", errors);
        }
    }

    /// <summary>
    /// A polygon that is checked only when the first frame arrives would fail after start, on a camera
    /// that may then run unmasked: every mistake is caught here instead.
    /// </summary>
    private static void ValidatePolygons(List<PolygonOptions> polygons, string where, List<string> errors)
    {
        for (var p = 0; p < polygons.Count; p++)
        {
            var polygon = polygons[p];
            var name = polygon.Name is { Length: > 0 } n ? $"{where}[{p}] ('{n}')" : $"{where}[{p}]";
            if (polygon.Points.Count < 3)
            {
                errors.Add($"{name}: a polygon needs at least 3 points (got {polygon.Points.Count}).");
                continue;
            }

            var valid = true;
            for (var i = 0; i < polygon.Points.Count; i++)
            {
                var point = polygon.Points[i] ?? [];
                if (point.Length != 2)
                {
                    errors.Add($"{name}: point {i} must be an [x, y] pair (got {point.Length} values).");
                    valid = false;
                }
                else if (!(point[0] is >= 0 and <= 1) || !(point[1] is >= 0 and <= 1))
                {
                    // The negated range test also catches NaN.
                    errors.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name}: point {i} is ({point[0]}, {point[1]}); x and y are fractions of the frame, between 0 and 1."));
                    valid = false;
                }
            }

            if (valid && Math.Abs(ShoelaceArea(polygon.Points)) < 1e-9)
            {
                errors.Add($"{name}: the points enclose no area (all on one line?).");
            }
        }
    }

    private static double ShoelaceArea(List<double[]> points)
    {
        var twice = 0.0;
        for (var i = 0; i < points.Count; i++)
        {
            var (a, b) = (points[i], points[(i + 1) % points.Count]);
            twice += (a[0] * b[1]) - (b[0] * a[1]);
        }

        return twice / 2;
    }

    private static void ValidateSnapshot(SnapshotOptions snapshot, string where, List<string> errors)
    {
        if (snapshot.Mode is not (SnapshotOptions.PathMode or SnapshotOptions.Base64Mode))
        {
            errors.Add($"{where}.Mode must be 'path' or 'base64' (got '{snapshot.Mode}').");
        }

        if (snapshot.Enabled && snapshot.Mode == SnapshotOptions.PathMode && string.IsNullOrWhiteSpace(snapshot.Directory))
        {
            errors.Add($"{where}.Directory is required in 'path' mode.");
        }

        if (snapshot.MaxBytes is < 1024 or > 8 * 1024 * 1024)
        {
            errors.Add($"{where}.MaxBytes must be between 1024 and 8388608 (got {snapshot.MaxBytes}).");
        }

        if (snapshot.Quality is < 1 or > 100)
        {
            errors.Add($"{where}.Quality must be between 1 and 100 (got {snapshot.Quality}).");
        }

        if (snapshot.MaxWidth is < 16 or > 7680)
        {
            errors.Add($"{where}.MaxWidth must be between 16 and 7680 (got {snapshot.MaxWidth}).");
        }
    }

    private static void ValidateWindow(WindowOptions window, string where, List<string> errors)
    {
        if (window.Length is < 1 or > 256)
        {
            errors.Add($"{where}.Length must be between 1 and 256 (got {window.Length}).");
        }

        if (window.Subsample is < 0 or > 1000)
        {
            errors.Add($"{where}.Subsample must be between 0 and 1000 (got {window.Subsample}).");
        }

        if (window.Hop < 1 || window.Hop > Math.Max(1, window.Length) * 16)
        {
            errors.Add($"{where}.Hop must be at least 1 and at most 16 × Length (got {window.Hop}).");
        }
    }

    private static void ValidateLifecycle(EventLifecycleOptions lifecycle, string where, List<string> errors)
    {
        if (lifecycle.EnterOf < 1 || lifecycle.EnterWindows < 1 || lifecycle.EnterWindows > lifecycle.EnterOf)
        {
            errors.Add($"{where}: need 1 <= EnterWindows <= EnterOf (got {lifecycle.EnterWindows} of {lifecycle.EnterOf}).");
        }

        if (lifecycle.ExitWindows < 1 || lifecycle.MinDurationSeconds < 0 || lifecycle.UpdateIntervalSeconds < 0)
        {
            errors.Add($"{where}: ExitWindows must be at least 1; MinDurationSeconds and UpdateIntervalSeconds must not be negative.");
        }
    }

    private static void ValidateModel(ModelOptions model, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(model.Manifest))
        {
            errors.Add("Model.Manifest is required.");
        }

        if (model.ExecutionProvider == "tensorrt" && string.IsNullOrWhiteSpace(model.TensorRtCacheDirectory))
        {
            errors.Add("Model.TensorRtCacheDirectory is required with the tensorrt provider (where built engines are kept).");
        }

        if (model.ExecutionProvider is not ("cpu" or "cuda" or "tensorrt"))
        {
            errors.Add($"Model.ExecutionProvider must be 'cpu', 'cuda' or 'tensorrt' (got '{model.ExecutionProvider}').");
        }

        if (model.MaxBatch is < 1 or > 256)
        {
            errors.Add($"Model.MaxBatch must be between 1 and 256 (got {model.MaxBatch}).");
        }

        if (model.MaxBatchWaitMilliseconds is < 0 or > 10_000)
        {
            errors.Add($"Model.MaxBatchWaitMilliseconds must be between 0 and 10000 (got {model.MaxBatchWaitMilliseconds}).");
        }

        if (model.QueueCapacity is < 1 or > 4096)
        {
            errors.Add($"Model.QueueCapacity must be between 1 and 4096 (got {model.QueueCapacity}).");
        }

        if (model.IntraOpThreads < 0 || model.DeviceId < 0)
        {
            errors.Add("Model.IntraOpThreads and Model.DeviceId must not be negative.");
        }
    }

    private static void ValidateDetection(DetectionOptions detection, List<string> errors)
    {
        var a = detection.Anomaly;
        if (a.CalibrationWindows < 2)
        {
            errors.Add($"Detection.Anomaly.CalibrationWindows must be at least 2 (got {a.CalibrationWindows}).");
        }

        if (a.Threshold is < 0 or > 2)
        {
            errors.Add($"Detection.Anomaly.Threshold is a cosine distance between 0 and 2 (got {a.Threshold}).");
        }

        if (a.Sigma <= 0 || a.MinThreshold < 0 || a.CooldownSeconds < 0)
        {
            errors.Add("Detection.Anomaly: Sigma must be positive; MinThreshold and CooldownSeconds must not be negative.");
        }

        ValidateLifecycle(detection.Lifecycle, "Detection.Lifecycle", errors);
        foreach (var (label, lifecycle) in detection.LifecycleByLabel)
        {
            ValidateLifecycle(lifecycle, $"Detection.LifecycleByLabel['{label}']", errors);
        }

        foreach (var (label, threshold) in detection.Action.Thresholds)
        {
            if (threshold is < 0 or > 1)
            {
                errors.Add($"Detection.Action.Thresholds['{label}'] is a probability between 0 and 1 (got {threshold}).");
            }
        }

        if (detection.Action.DefaultThreshold is < 0 or > 1 || detection.Action.CooldownSeconds < 0)
        {
            errors.Add("Detection.Action: DefaultThreshold must be between 0 and 1 and CooldownSeconds must not be negative.");
        }

        ValidateSnapshot(detection.Snapshot, "Detection.Snapshot", errors);
    }

    private static void ValidateMqtt(MqttOptions mqtt, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(mqtt.Host))
        {
            errors.Add("Mqtt.Host is required.");
        }

        if (mqtt.Port is < 1 or > 65535)
        {
            errors.Add($"Mqtt.Port must be between 1 and 65535 (got {mqtt.Port}).");
        }

        if (string.IsNullOrWhiteSpace(mqtt.TopicPrefix) || mqtt.TopicPrefix.IndexOfAny(['+', '#']) >= 0 || mqtt.TopicPrefix.EndsWith('/'))
        {
            errors.Add($"Mqtt.TopicPrefix must be non-empty, without '+', '#' or a trailing '/' (got '{mqtt.TopicPrefix}').");
        }

        if (string.IsNullOrWhiteSpace(mqtt.ClientId))
        {
            errors.Add("Mqtt.ClientId is required.");
        }

        if (mqtt.Password is not null && mqtt.PasswordFile is not null)
        {
            errors.Add("Mqtt: set Password or PasswordFile, not both.");
        }

        if (mqtt.PasswordFile is not null && !File.Exists(mqtt.PasswordFile))
        {
            errors.Add($"Mqtt.PasswordFile '{mqtt.PasswordFile}' does not exist.");
        }

        var outbox = mqtt.Outbox;
        if (string.IsNullOrWhiteSpace(outbox.Directory))
        {
            errors.Add("Mqtt.Outbox.Directory is required (events wait there for the broker).");
        }

        if (outbox.MaxEvents < 1)
        {
            errors.Add($"Mqtt.Outbox.MaxEvents must be at least 1 (got {outbox.MaxEvents}).");
        }

        if (outbox.Flush is not ("always" or "none"))
        {
            errors.Add($"Mqtt.Outbox.Flush must be 'always' or 'none' (got '{outbox.Flush}').");
        }

        var tls = mqtt.Tls;
        foreach (var (name, file) in new[] { ("CaFile", tls.CaFile), ("ClientCertificateFile", tls.ClientCertificateFile), ("ClientKeyFile", tls.ClientKeyFile) })
        {
            if (file is not null && !File.Exists(file))
            {
                errors.Add($"Mqtt.Tls.{name} '{file}' does not exist.");
            }
            else if (name == "CaFile" && file is not null && !IsPemCertificate(file))
            {
                errors.Add($"Mqtt.Tls.CaFile '{file}' holds no PEM certificate.");
            }
        }

        if (tls.ClientKeyFile is not null && tls.ClientCertificateFile is null)
        {
            errors.Add("Mqtt.Tls.ClientKeyFile needs Mqtt.Tls.ClientCertificateFile.");
        }

        if (!tls.Enabled && (tls.CaFile ?? tls.ClientCertificateFile) is not null)
        {
            errors.Add("Mqtt.Tls: CaFile or ClientCertificateFile is set but Tls.Enabled is false.");
        }

        if (mqtt.QueueCapacity < 1 || mqtt.KeepAliveSeconds < 1 || mqtt.ReconnectInitialDelaySeconds <= 0 || mqtt.ReconnectMaxDelaySeconds < mqtt.ReconnectInitialDelaySeconds)
        {
            errors.Add("Mqtt: QueueCapacity and KeepAliveSeconds must be at least 1, and 0 < ReconnectInitialDelaySeconds <= ReconnectMaxDelaySeconds.");
        }
    }

    private static bool IsPemCertificate(string file)
    {
        try
        {
            var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            certificates.ImportFromPemFile(file);
            return certificates.Count > 0;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static void ValidateMetrics(MetricsOptions metrics, List<string> errors)
    {
        if (!metrics.Enabled)
        {
            return;
        }

        if (metrics.Port is < 1 or > 65535)
        {
            errors.Add($"Metrics.Port must be between 1 and 65535 (got {metrics.Port}).");
        }

        if (string.IsNullOrWhiteSpace(metrics.Host))
        {
            errors.Add("Metrics.Host is required.");
        }
    }
}
