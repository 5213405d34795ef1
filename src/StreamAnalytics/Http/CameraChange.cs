namespace StreamAnalytics.Http;

/// <summary>The result of adding, replacing or removing a camera: the camera as it now runs, or every problem.</summary>
internal sealed record CameraChange(CameraChangeOutcome Outcome, CameraView? Camera, IReadOnlyList<string> Problems)
{
    public static CameraChange Done(CameraView? camera) => new(CameraChangeOutcome.Done, camera, []);

    public static CameraChange Failed(CameraChangeOutcome outcome, params IReadOnlyList<string> problems) => new(outcome, null, problems);
}
