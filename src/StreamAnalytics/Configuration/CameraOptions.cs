namespace StreamAnalytics.Configuration;

internal sealed class CameraOptions
{
    /// <summary>Short id used in topics and metric labels: letters, digits, '-' and '_'.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary><c>rtsp://</c>/<c>rtsps://</c> URL, or a local video file (path or <c>file://</c>).</summary>
    public string Url { get; set; } = string.Empty;

    public bool Enabled { get; set; } = true;

    /// <summary>Decode width; with <see cref="Height"/> unset the aspect ratio of the source is kept. Unset: source size.</summary>
    public int? Width { get; set; }

    public int? Height { get; set; }

    /// <summary>Files only: start again at the end, so a file can stand in for a camera.</summary>
    public bool Loop { get; set; } = true;

    /// <summary>Files only: deliver frames at the file's own frame rate, as a camera would.</summary>
    public bool Realtime { get; set; } = true;

    /// <summary>Caps the decoded frame rate inside ffmpeg, before scaling and colour conversion, so frames that would be dropped are never converted.</summary>
    public double? MaxFps { get; set; }

    /// <summary>
    /// Decoder threads of this camera's ffmpeg; 0 lets ffmpeg choose (one per core plus one, each with its own frame
    /// buffers). One thread decodes a 1080p H.264 stream many times faster than real time and keeps a 720p decoder
    /// about 9 MB smaller; many cameras are parallel anyway, one process each.
    /// </summary>
    public int DecoderThreads { get; set; } = 1;

    /// <summary>
    /// <c>none</c> (software), <c>cuda</c> (NVDEC), <c>vaapi</c> (Intel/AMD) or <c>auto</c> (ffmpeg picks, software if
    /// nothing fits). When the requested decoder cannot start here, the camera falls back to software once, with a warning.
    /// </summary>
    public string HardwareDecode { get; set; } = "none";

    /// <summary>
    /// <c>auto</c>, <c>on</c> or <c>off</c>. On, ffmpeg skips H.264/HEVC's in-loop deblocking filter: 10–20% less
    /// decoding CPU (scripts/decode-cpu.sh). <c>auto</c> turns it on where ffmpeg shrinks the frame to half the source height or less
    /// (<c>Pipeline.DecodeSize</c>), so the blocking it leaves is averaged away by the scaler.
    /// </summary>
    public string FastDecode { get; set; } = FastDecodeAuto;

    public const string FastDecodeAuto = "auto";

    public const string FastDecodeOn = "on";

    public const string FastDecodeOff = "off";

    /// <summary>
    /// How ffmpeg scales where it shrinks the frame (<c>Pipeline.DecodeSize</c>, or a configured size): <c>auto</c>,
    /// <c>bicubic</c> (ffmpeg's own default) or <c>area</c>, which averages the source pixels under each output pixel, as the
    /// product's own downscales do. <c>auto</c> takes area where ffmpeg shrinks the frame to half the source height or less
    /// (a 720p camera at the model's 224 rows: about 18% less of ffmpeg's CPU, frames as close to the source footage as a
    /// full decode's; docs/performance.md) and bicubic elsewhere.
    /// </summary>
    public string ScaleFilter { get; set; } = ScaleAuto;

    public const string ScaleAuto = "auto";

    public const string ScaleBicubic = "bicubic";

    public const string ScaleArea = "area";

    /// <summary>With <see cref="HardwareDecode"/>: the device, e.g. <c>1</c> (the second GPU) or <c>/dev/dri/renderD129</c>; unset: the default one.</summary>
    public string? HardwareDecodeDevice { get; set; }

    /// <summary><c>tcp</c> or <c>udp</c> for RTSP.</summary>
    public string RtspTransport { get; set; } = "tcp";

    /// <summary>Frames buffered between the decoder and windowing; when full the oldest frame is dropped and counted.</summary>
    public int QueueCapacity { get; set; } = 8;

    /// <summary>
    /// A motion normality state learned offline for this camera (<c>streamanalytics learn --camera ID</c>). It seeds the
    /// camera: the motion head scores with it from the first frame instead of learning first, and live learning refines
    /// it from there (the refined state is kept under the state directory; the newer of the two is used at start).
    /// </summary>
    public string? MotionState { get; set; }

    /// <summary>Minutes this camera learns what is normal before its motion head scores (overrides Detection.Motion.LearningMinutes).</summary>
    public double? LearningMinutes { get; set; }

    /// <summary>
    /// This camera's <c>Detection.Motion.LastingChangeMinutes</c>: 0 for a camera where nothing that keeps moving may become
    /// normal (a restricted area, or the demo's walkway, whose looped clip shows its cyclist every 18 s).
    /// </summary>
    public double? MotionLastingChangeMinutes { get; set; }

    /// <summary>
    /// How readily this camera's motion alerts: its threshold is the learned one divided by this (2: at half the learned
    /// threshold, more alerts; 0.5: at twice it, fewer). Learning is unchanged, so it can be tuned without learning again.
    /// </summary>
    public double MotionSensitivity { get; set; } = 1;

    /// <summary>Parts of the view with their own motion sensitivity (see <see cref="MotionZoneOptions"/>).</summary>
    public List<MotionZoneOptions> MotionZones { get; set; } = [];

    /// <summary>This camera's incident hysteresis, for all its labels (overrides Detection.Lifecycle and LifecycleByLabel).</summary>
    public EventLifecycleOptions? Lifecycle { get; set; }

    /// <summary>This camera's per-label incident hysteresis (the most specific setting).</summary>
    public Dictionary<string, EventLifecycleOptions> LifecycleByLabel { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Overrides the pipeline-wide window settings for this camera.</summary>
    public WindowOptions? Window { get; set; }

    public ReconnectOptions Reconnect { get; set; } = new();

    /// <summary>Skips the backbone for windows of a scene that has not changed (off unless enabled).</summary>
    public MotionGateOptions Gate { get; set; } = new();

    /// <summary>
    /// Privacy masks: the inside of each polygon is blanked (black) in every decoded frame before anything
    /// else sees it, so those pixels reach neither the model nor a snapshot.
    /// </summary>
    public List<PolygonOptions> Masks { get; set; } = [];

    /// <summary>Zones: when any is given, everything outside all of them is blanked like a mask. Masks win inside zones.</summary>
    public List<PolygonOptions> Zones { get; set; } = [];

    /// <summary>This camera's snapshot settings (replaces Detection.Snapshot for it, e.g. to keep one camera's pictures in).</summary>
    public SnapshotOptions? Snapshot { get; set; }
}
