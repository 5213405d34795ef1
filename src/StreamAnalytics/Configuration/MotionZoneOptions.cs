namespace StreamAnalytics.Configuration;

/// <summary>
/// A part of a camera's view with its own motion sensitivity (<c>Cameras[i].MotionZones</c>): a tree that sways, a road
/// where fast motion is normal (lower), a door that must never be missed (higher). A motion cell belongs to the first
/// zone that holds its centre.
/// </summary>
internal sealed class MotionZoneOptions
{
    /// <summary>Optional label, used in error messages only.</summary>
    public string? Name { get; set; }

    /// <summary>At least three <c>[x, y]</c> pairs, each between 0 and 1 of the frame; the last point joins the first.</summary>
    public List<double[]> Points { get; set; } = [];

    /// <summary>Replaces the camera's <c>MotionSensitivity</c> inside the zone; 0 ignores motion there altogether.</summary>
    public double Sensitivity { get; set; } = 1;
}
