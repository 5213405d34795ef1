using Prometheus;

namespace StreamAnalytics.Observability;

/// <summary>
/// Every metric the pipeline exports, created on one registry so tests can own theirs.
/// Labels are camera ids and model names only: never URLs, which may carry credentials.
/// </summary>
internal sealed class PipelineMetrics
{
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public PipelineMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        FramesDecoded = factory.CreateCounter("streamanalytics_ingest_frames_decoded_total", "Frames decoded from a camera.", "camera");
        FramesDropped = factory.CreateCounter("streamanalytics_ingest_frames_dropped_total", "Frames dropped before windowing, by reason.", "camera", "reason");
        CameraUp = factory.CreateGauge("streamanalytics_ingest_camera_up", "1 while a camera delivers frames, 0 otherwise.", "camera");
        Reconnects = factory.CreateCounter("streamanalytics_ingest_reconnects_total", "Times a camera's decoder was restarted.", "camera");
        DecodeErrors = factory.CreateCounter("streamanalytics_ingest_decode_errors_total", "Decoder sessions that failed or ended unexpectedly.", "camera");
        SecondsSinceLastFrame = factory.CreateGauge("streamanalytics_ingest_seconds_since_last_frame_seconds", "Seconds since the camera's last decoded frame (updated by the watchdog).", "camera");
        WindowsBuilt = factory.CreateCounter("streamanalytics_windowing_windows_built_total", "Temporal windows completed.", "camera");
        WindowsDropped = factory.CreateCounter("streamanalytics_windowing_windows_dropped_total", "Windows dropped before inference, by reason.", "camera", "reason");
        WindowsGated = factory.CreateCounter("streamanalytics_windowing_windows_gated_total", "Windows of an unchanged scene that skipped the backbone (the camera's motion gate); also counted as built.", "camera");
        InferenceDuration = factory.CreateHistogram("streamanalytics_inference_duration_seconds", "Duration of one model run.", new HistogramConfiguration { LabelNames = ["model"], Buckets = DurationBuckets });
        InferenceBatchSize = factory.CreateHistogram("streamanalytics_inference_batch_size_items", "Items (frames or clips) in one model run.", new HistogramConfiguration { LabelNames = ["model"], Buckets = [1, 2, 4, 8, 16, 32, 64, 128] });
        InferenceQueueWait = factory.CreateHistogram("streamanalytics_inference_queue_wait_seconds", "From a window closing to its inference starting.", new HistogramConfiguration { LabelNames = ["model"], Buckets = DurationBuckets });
        InferenceFailures = factory.CreateCounter("streamanalytics_inference_failures_total", "Windows whose inference failed.", "model");
        FramesEncoded = factory.CreateCounter("streamanalytics_inference_frames_encoded_total", "Frames run through a per-frame encoder (each once, shared by overlapping windows).", "model");
        RemoteRetries = factory.CreateCounter("streamanalytics_inference_remote_retries_total", "Calls to the remote inference endpoint repeated after a failure (Model.Remote).", "model");
        RemoteFallbackItems = factory.CreateCounter("streamanalytics_inference_remote_fallback_items_total", "Items (frames or clips) run on the local model because the remote endpoint failed (Model.Remote.FallbackToLocal).", "model");
        RemoteUp = factory.CreateGauge("streamanalytics_inference_remote_up", "1 while the remote inference endpoint answers (Model.Remote), 0 after a failed batch.", "model");
        EventsDetected = factory.CreateCounter("streamanalytics_detection_events_total", "Events raised by detectors.", "camera", "type");
        EventsPublished = factory.CreateCounter("streamanalytics_publishing_events_published_total", "Events acknowledged by the broker.", "camera");
        EventsFailed = factory.CreateCounter("streamanalytics_publishing_events_failed_total", "Failed publish attempts (the event is retried).", "camera");
        EventDelay = factory.CreateHistogram("streamanalytics_publishing_event_delay_seconds", "From the capture of a window's last frame to the broker's acknowledgement of its event.", new HistogramConfiguration { LabelNames = ["camera"], Buckets = DurationBuckets });
        BrokerConnected = factory.CreateGauge("streamanalytics_publishing_broker_connected", "1 while connected to the MQTT broker.");
        OutboxEvents = factory.CreateGauge("streamanalytics_publishing_outbox_events", "Events on disk waiting for the broker's acknowledgement.");
        OutboxDropped = factory.CreateCounter("streamanalytics_publishing_outbox_dropped_total", "Events dropped because the outbox was full (oldest first).");
        LearningProgress = factory.CreateGauge("streamanalytics_detection_learning_progress_ratio", "How far a camera has learned what is normal: 0 to 1, 1 once every learning head scores it (sampled at scrape).", "camera");
        FrameQueueDepth = factory.CreateGauge("streamanalytics_ingest_queue_depth_frames", "Frames waiting between a camera's decoder and its windowing (sampled at scrape).", "camera");
        WindowQueueDepth = factory.CreateGauge("streamanalytics_inference_queue_depth_windows", "Windows waiting for inference (sampled at scrape).");
        AppearanceRelearned = factory.CreateCounter("streamanalytics_detection_appearance_relearned_total", "Times a camera's appearance head replaced what it learned as normal: reason refresh (quiet windows join it and those the rest covers best leave, every Detection.Anomaly.RefreshMinutes) or lasting_change (all of it by a change that alerted for Detection.Anomaly.LastingChangeMinutes).", "camera", "reason");
        MotionRelearned = factory.CreateCounter("streamanalytics_detection_motion_relearned_total", "Times a camera's motion head rebuilt what it learned as normal: reason refresh (from its reservoir of quiet frames, every Detection.Motion.RefreshMinutes) or lasting_change (with up to half of it from a change that alerted for Detection.Motion.LastingChangeMinutes).", "camera", "reason");
        IncidentsStarted = factory.CreateCounter("streamanalytics_detection_incidents_total", "Incidents started (one per incident, not per message), by type.", "camera", "type");
        IncidentStreamDropped = factory.CreateCounter("streamanalytics_http_incident_stream_dropped_total", "Incident messages an SSE client missed because it read too slowly.");
        Ready = factory.CreateGauge("streamanalytics_hosting_ready", "1 while /readyz answers 200: model loaded, cameras started, publishing healthy.");
    }

    public CollectorRegistry Registry { get; }
    public Counter FramesDecoded { get; }
    public Counter FramesDropped { get; }
    public Gauge CameraUp { get; }
    public Counter Reconnects { get; }
    public Counter DecodeErrors { get; }
    public Gauge SecondsSinceLastFrame { get; }
    public Counter WindowsBuilt { get; }
    public Counter WindowsDropped { get; }
    public Counter WindowsGated { get; }
    public Histogram InferenceDuration { get; }
    public Counter InferenceFailures { get; }
    public Histogram InferenceBatchSize { get; }
    public Histogram InferenceQueueWait { get; }
    public Counter FramesEncoded { get; }
    public Counter RemoteRetries { get; }
    public Counter RemoteFallbackItems { get; }
    public Gauge RemoteUp { get; }
    public Counter EventsDetected { get; }
    public Counter EventsPublished { get; }
    public Counter EventsFailed { get; }
    public Histogram EventDelay { get; }
    public Gauge BrokerConnected { get; }
    public Gauge OutboxEvents { get; }
    public Counter OutboxDropped { get; }
    public Gauge FrameQueueDepth { get; }

    public Gauge LearningProgress { get; }
    public Gauge WindowQueueDepth { get; }
    public Counter IncidentsStarted { get; }
    public Counter AppearanceRelearned { get; }
    public Counter MotionRelearned { get; }
    public Gauge Ready { get; }
    public Counter IncidentStreamDropped { get; }

    /// <summary>
    /// A camera removed at run time leaves no gauge behind (a stale camera_up 0 would page someone); its counters stay,
    /// since rates over them must not jump.
    /// </summary>
    public void ForgetCamera(string cameraId)
    {
        CameraUp.RemoveLabelled(cameraId);
        SecondsSinceLastFrame.RemoveLabelled(cameraId);
        FrameQueueDepth.RemoveLabelled(cameraId);
        LearningProgress.RemoveLabelled(cameraId);
    }

    /// <summary>Label children resolved once per camera so the per-frame path allocates nothing.</summary>
    public CameraMetrics ForCamera(string cameraId) => new(this, cameraId);
}
