namespace StreamAnalytics.Contracts;

/// <summary>
/// A head that learns what is normal per camera while it runs: it reports how far it has got (the API and the
/// status page show it) and forgets a camera that was removed or replaced, so a new scene is learned afresh.
/// </summary>
internal interface ICameraLearning
{
    /// <summary>0 to 1 while learning, 1 once learned; null when this head has seen nothing of the camera yet.</summary>
    double? LearningProgress(string cameraId);

    void Forget(string cameraId);
}
