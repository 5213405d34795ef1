namespace StreamAnalytics.Configuration;

internal sealed class PipelineOptions
{
    public const string DecodeAtSourceSize = "source";

    public const string DecodeAtModelSize = "model";

    public const string DecodeAtNeededSize = "auto";

    /// <summary>
    /// For cameras without Width and Height: <c>source</c> decodes at the source's size; <c>model</c> has ffmpeg scale to
    /// the model's input height (aspect kept), so no full-size frame is converted, copied or resized. Snapshots and the
    /// API's picture are then that size too. <c>auto</c> is <c>model</c> unless something needs the camera's full
    /// frames: incident snapshots on, or a detector that reads them (a motion state learned offline).
    /// </summary>
    public string DecodeSize { get; set; } = DecodeAtNeededSize;

    /// <summary>On shutdown, how long queued frames, windows and events may take to drain and publish.</summary>
    public double DrainTimeoutSeconds { get; set; } = 20;

    /// <summary>Log one progress line per camera this often (frames, windows, events); 0 turns it off.</summary>
    public double ProgressLogSeconds { get; set; } = 30;

    /// <summary>
    /// Where the service keeps what must survive a restart and is not configuration: cameras added through the API
    /// (<c>cameras.json</c>). Relative paths are against the working folder.
    /// </summary>
    public string StateDirectory { get; set; } = "state";
}
