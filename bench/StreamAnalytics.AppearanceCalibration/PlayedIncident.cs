namespace StreamAnalytics.AppearanceCalibration;

/// <summary>An incident of a play: the first frame of its first window, the frame it alerted on, its last frame, and the index of the window it started on.</summary>
internal sealed record PlayedIncident(long FirstFrame, long AlertFrame, long LastFrame, int StartWindow);
