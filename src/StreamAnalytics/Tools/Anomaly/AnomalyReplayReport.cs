namespace StreamAnalytics.Tools.Anomaly;

/// <summary>What <c>replay anomaly</c> found: incidents a camera raised on footage that is all normal, after it learned.</summary>
/// <param name="LearnedAfterSeconds">Footage played before the camera scored (0 with a seed).</param>
/// <param name="ScoredSeconds">Footage played after that: every incident on it is a false one.</param>
/// <param name="Refreshes">Models rebuilt by the periodic refresh after the first one.</param>
/// <param name="LastingChanges">Models rebuilt because a change kept alerting (<c>Detection.Motion.LastingChangeMinutes</c>).</param>
/// <param name="Incidents">Each incident's first, alerting and last second of footage.</param>
internal sealed record AnomalyReplayReport(
    IReadOnlyList<string> Inputs,
    double Fps,
    int Loops,
    double LearningMinutes,
    string Window,
    long Frames,
    double LearnedAfterSeconds,
    double ScoredSeconds,
    double? Threshold,
    int Refreshes,
    int LastingChanges,
    IReadOnlyList<AnomalyReplayIncident> Incidents,
    double? IncidentsPerHour);
