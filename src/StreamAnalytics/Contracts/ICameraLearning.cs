namespace StreamAnalytics.Contracts;

/// <summary>
/// A head that learns what is normal per camera while it runs: it reports how far it has got (the API, the status
/// page, the camera's retained status and a metric show it) and forgets a camera that was removed or replaced, so a
/// new scene is learned afresh.
/// </summary>
internal interface ICameraLearning
{
    /// <summary>Raised with the camera id when its progress moved by a step worth publishing, and when it finished learning.</summary>
    event Action<string>? ProgressChanged;

    /// <summary>0 to 1 while learning, 1 once learned; null when this head has seen nothing of the camera yet.</summary>
    double? LearningProgress(string cameraId);

    void Forget(string cameraId);
}
