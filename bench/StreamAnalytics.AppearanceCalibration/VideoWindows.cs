namespace StreamAnalytics.AppearanceCalibration;

/// <summary>A video's decoded frame count and its windows, in order.</summary>
internal sealed record VideoWindows(string Name, long Frames, IReadOnlyList<VideoWindow> Windows);
