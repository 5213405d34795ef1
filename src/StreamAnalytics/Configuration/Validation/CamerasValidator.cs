namespace StreamAnalytics.Configuration.Validation;

/// <summary>
/// The Cameras section: each camera's id, source, decoding, reconnect policy, masks and zones, and its overrides of
/// the pipeline's window, lifecycle and snapshot settings. Every message names the camera by index and id, since
/// an operator with many cameras looks for the id, and a camera without a valid id still has an index.
/// </summary>
internal sealed class CamerasValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors)
    {
        if (options.Cameras.Count == 0 && !options.Http.Enabled)
        {
            // With the HTTP API on, a service may start empty and take its cameras from POST /api/v1/cameras.
            errors.Add("Cameras: at least one camera is required (or turn Http.Enabled on and add cameras through the API).");
        }

        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Cameras.Count; i++)
        {
            ValidateCamera(options.Cameras[i], i, seenIds, errors);
        }
    }

    private static void ValidateCamera(CameraOptions camera, int index, HashSet<string> seenIds, ICollection<string> errors)
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

        if (camera.HardwareDecode is not ("none" or "cuda" or "vaapi" or "auto"))
        {
            errors.Add($"{where}: HardwareDecode must be 'none', 'cuda', 'vaapi' or 'auto' (got '{camera.HardwareDecode}').");
        }
        else if (camera.HardwareDecode is "none" or "auto" && camera.HardwareDecodeDevice is not null)
        {
            errors.Add($"{where}: HardwareDecodeDevice needs HardwareDecode 'cuda' or 'vaapi' (got '{camera.HardwareDecode}').");
        }

        if (camera.FastDecode is not (CameraOptions.FastDecodeAuto or CameraOptions.FastDecodeOn or CameraOptions.FastDecodeOff))
        {
            errors.Add($"{where}: FastDecode must be 'auto', 'on' or 'off' (got '{camera.FastDecode}').");
        }

        if (camera.ScaleFilter is not (CameraOptions.ScaleAuto or CameraOptions.ScaleBicubic or CameraOptions.ScaleArea))
        {
            errors.Add($"{where}: ScaleFilter must be 'auto', 'bicubic' or 'area' (got '{camera.ScaleFilter}').");
        }

        if (camera.QueueCapacity is < 1 or > 1024)
        {
            errors.Add($"{where}: QueueCapacity must be between 1 and 1024 (got {camera.QueueCapacity}).");
        }

        if (camera.Lifecycle is not null)
        {
            EventLifecycleRules.Check(camera.Lifecycle, where + ": Lifecycle", errors);
        }

        foreach (var (label, lifecycle) in camera.LifecycleByLabel)
        {
            EventLifecycleRules.Check(lifecycle, $"{where}: LifecycleByLabel['{label}']", errors);
        }

        if (camera.Window is not null)
        {
            WindowRules.Check(camera.Window, where + ": Window", errors);
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

        var gate = camera.Gate;
        if (gate.Threshold is < 0 or >= 1 || double.IsNaN(gate.Threshold))
        {
            errors.Add($"{where}: Gate.Threshold must be at least 0 and below 1, a fraction of the samples that changed (got {gate.Threshold}).");
        }

        if (gate.PixelDelta is < 1 or > 255)
        {
            errors.Add($"{where}: Gate.PixelDelta must be between 1 and 255 grey levels (got {gate.PixelDelta}).");
        }

        if (gate.MaxSkipSeconds is <= 0 or > 3600 || double.IsNaN(gate.MaxSkipSeconds))
        {
            errors.Add($"{where}: Gate.MaxSkipSeconds must be above 0 and at most 3600 (got {gate.MaxSkipSeconds}).");
        }

        if (camera.LearningMinutes is { } minutes && !MotionRules.IsLearningMinutes(minutes))
        {
            errors.Add($"{where}: LearningMinutes {MotionRules.LearningMinutesRange} (got {minutes}).");
        }

        MotionRules.CheckCamera(camera, where, errors);

        PolygonRules.Check(camera.Masks, where + ": Masks", errors);
        PolygonRules.Check(camera.Zones, where + ": Zones", errors);
        if (camera.Snapshot is not null)
        {
            SnapshotRules.Check(camera.Snapshot, where + ": Snapshot", errors);
        }
    }
}
