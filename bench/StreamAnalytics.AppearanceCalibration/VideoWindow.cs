namespace StreamAnalytics.AppearanceCalibration;

/// <summary>One window: its embedding and its first and last decoded frame (0-based, in its video).</summary>
internal sealed record VideoWindow(float[] Embedding, long FirstFrame, long LastFrame);
