namespace StreamAnalytics.Tools.Anomaly;

/// <summary><c>replay anomaly</c>: normal footage played as one live camera that learns its motion first.</summary>
/// <param name="Loops">Times the inputs are played, one after the other (a looping file camera, as the demo's).</param>
/// <param name="SeedPath">A state from <c>learn</c> to start from instead of learning; null: learn first.</param>
/// <param name="Tuning">Noise controls applied as a live camera applies them; null: none.</param>
internal sealed record ReplayAnomalyRequest(IReadOnlyList<string> Inputs, double Fps, double LearningMinutes, int Loops, string? SeedPath, string ReportPath, double MaxFps, AnomalyTuning? Tuning = null);
