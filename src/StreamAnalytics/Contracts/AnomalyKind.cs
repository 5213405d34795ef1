namespace StreamAnalytics.Contracts;

/// <summary>The <c>label</c> of an anomaly event says which head raised it.</summary>
internal static class AnomalyKind
{
    /// <summary>The motion head: optical flow per cell against what this camera learned as normal.</summary>
    public const string Motion = "motion";

    /// <summary>The appearance head: the backbone's window embedding against the camera's first windows.</summary>
    public const string Appearance = "appearance";
}
