using StreamAnalytics.Contracts;

namespace StreamAnalytics.Hosting;

/// <summary>A camera's learning progress over every head that learns it: the least advanced one decides.</summary>
internal static class LearningProgress
{
    /// <summary>0 to 1; null when no head has seen the camera yet.</summary>
    public static double? Of(IEnumerable<ICameraLearning> learners, string cameraId)
    {
        double? progress = null;
        foreach (var learner in learners)
        {
            if (learner.LearningProgress(cameraId) is { } p)
            {
                progress = Math.Min(progress ?? 1.0, p);
            }
        }

        return progress;
    }
}
