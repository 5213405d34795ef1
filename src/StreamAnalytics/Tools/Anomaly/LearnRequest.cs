namespace StreamAnalytics.Tools.Anomaly;

/// <summary><c>learn</c>: where to write the state, the normal footage to learn from (files, or folders of .mp4/.avi), and the camera it is for.</summary>
internal sealed record LearnRequest(string StatePath, IReadOnlyList<string> Inputs, string CameraId, double MaxFps);
