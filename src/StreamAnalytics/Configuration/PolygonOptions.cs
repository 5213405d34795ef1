namespace StreamAnalytics.Configuration;

/// <summary>
/// A closed polygon over a camera's picture. Coordinates are normalised to the decoded frame (x and y
/// from 0 to 1, origin top left), so a polygon stays on the same part of the scene when the decode size
/// changes (a reconnect to a source with another resolution, or a new Width/Height).
/// </summary>
internal sealed class PolygonOptions
{
    /// <summary>Optional label, used in error messages only (e.g. <c>"neighbour-window"</c>).</summary>
    public string? Name { get; set; }

    /// <summary>At least three <c>[x, y]</c> pairs, each between 0 and 1; the last point joins the first.</summary>
    public List<double[]> Points { get; set; } = [];
}
