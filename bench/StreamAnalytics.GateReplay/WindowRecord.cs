namespace StreamAnalytics.GateReplay;

/// <summary>One window of a replay: its video, first and last decoded frame (1-based), whether the gate kept it from the backbone, and the appearance head's verdict (carried when gated; none while calibrating).</summary>
internal sealed record WindowRecord(string Camera, string Video, long FirstFrame, long LastFrame, bool Gated, double Change, double? Score, bool Above);
