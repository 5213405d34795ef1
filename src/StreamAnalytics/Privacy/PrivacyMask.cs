using OpenCvSharp;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Privacy;

/// <summary>
/// A camera's masks and zones, blanked in place in each decoded BGR frame. The polygons are rasterised
/// once per frame size into runs of bytes to clear, so a frame costs a few span fills and no allocation;
/// a frame of another size (a reconnect to a source with another resolution) rasterises them again.
/// </summary>
internal sealed class PrivacyMask
{
    private readonly Point2d[][] _masks;
    private readonly Point2d[][] _zones;
    private int[] _runs = [];
    private int _runCount;

    public PrivacyMask(IReadOnlyList<PolygonOptions> masks, IReadOnlyList<PolygonOptions> zones)
    {
        _masks = [.. masks.Select(ToPoints)];
        _zones = [.. zones.Select(ToPoints)];
    }

    /// <summary>The camera's mask, or null when it has neither masks nor zones (then nothing runs per frame).</summary>
    public static PrivacyMask? For(CameraOptions camera) =>
        camera.Masks.Count == 0 && camera.Zones.Count == 0 ? null : new PrivacyMask(camera.Masks, camera.Zones);

    /// <summary>Frame size the runs were rasterised for (0 before the first frame).</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Pixels blanked in each frame of the current size.</summary>
    public long BlankedPixels { get; private set; }

    /// <summary>Blanks the masked pixels of a Height × Width × 3 BGR buffer; true when it had to rasterise for a new frame size.</summary>
    public bool Apply(Span<byte> bgr, int width, int height)
    {
        if (bgr.Length < width * height * 3)
        {
            throw new ArgumentException($"A {width}x{height} BGR frame needs {width * height * 3} bytes (got {bgr.Length}).", nameof(bgr));
        }

        var rasterised = false;
        if (width != Width || height != Height)
        {
            Rasterise(width, height);
            rasterised = true;
        }

        var runs = _runs;
        for (var i = 0; i < _runCount; i += 2)
        {
            bgr.Slice(runs[i], runs[i + 1]).Clear();
        }

        return rasterised;
    }

    /// <summary>The rasterised map for one frame size: 0 where a pixel is blanked, 255 where it is kept (tests and diagnostics).</summary>
    public byte[] KeepMap(int width, int height) => Draw(width, height);

    private void Rasterise(int width, int height)
    {
        var map = Draw(width, height);

        // Runs over the whole buffer, not per row: frame rows are contiguous, so a blanked band across
        // several rows (the usual shape of a zone's outside) is one fill.
        var runs = new List<int>();
        long blanked = 0;
        var start = -1;
        for (var i = 0; i <= map.Length; i++)
        {
            var masked = i < map.Length && map[i] == 0;
            if (masked && start < 0)
            {
                start = i;
            }
            else if (!masked && start >= 0)
            {
                runs.Add(start * 3);
                runs.Add((i - start) * 3);
                blanked += i - start;
                start = -1;
            }
        }

        _runs = [.. runs];
        _runCount = _runs.Length;
        BlankedPixels = blanked;
        Width = width;
        Height = height;
    }

    /// <summary>
    /// Exact coverage, decided per pixel square: a mask blanks every pixel whose square it overlaps, and a zone keeps
    /// only pixels whose square lies wholly inside it. OpenCV's FillPoly was not used because it decides by its own
    /// rounding and filled pixels wholly outside a zone's edge, which would let them through.
    /// </summary>
    private byte[] Draw(int width, int height)
    {
        var map = new byte[width * height];
        var crossings = new List<double>();
        if (_zones.Length == 0)
        {
            map.AsSpan().Fill(255);
        }
        else
        {
            foreach (var zone in _zones)
            {
                FillInterior(map, width, height, Scale(zone, width, height), 255, crossings);
            }

            foreach (var zone in _zones)
            {
                FillEdges(map, width, height, Scale(zone, width, height));
            }
        }

        foreach (var mask in _masks)
        {
            var points = Scale(mask, width, height);
            FillInterior(map, width, height, points, 0, crossings);
            FillEdges(map, width, height, points);
        }

        return map;
    }

    /// <summary>Pixels whose centre is inside the polygon (even-odd rule), row by row.</summary>
    private static void FillInterior(byte[] map, int width, int height, Point2d[] polygon, byte value, List<double> crossings)
    {
        for (var y = 0; y < height; y++)
        {
            var centre = y + 0.5;
            crossings.Clear();
            for (var i = 0; i < polygon.Length; i++)
            {
                var (a, b) = (polygon[i], polygon[(i + 1) % polygon.Length]);
                if ((a.Y <= centre && centre < b.Y) || (b.Y <= centre && centre < a.Y))
                {
                    crossings.Add(a.X + ((centre - a.Y) * (b.X - a.X) / (b.Y - a.Y)));
                }
            }

            crossings.Sort();
            for (var k = 0; k + 1 < crossings.Count; k += 2)
            {
                // Centres x + 0.5 in [left, right).
                var first = Math.Max(0, (int)Math.Ceiling(crossings[k] - 0.5));
                var last = Math.Min(width - 1, (int)Math.Ceiling(crossings[k + 1] - 0.5) - 1);
                if (first <= last)
                {
                    map.AsSpan((y * width) + first, last - first + 1).Fill(value);
                }
            }
        }
    }

    /// <summary>Blanks every pixel whose square an edge passes through (not one it merely touches at a corner or side).</summary>
    private static void FillEdges(byte[] map, int width, int height, Point2d[] polygon)
    {
        // A square of half-size h around the pixel centre meets segment AB iff the centre lies in AB swept by
        // that square; on one row that is one interval, from the part of AB within h of the row's centre line.
        const double h = 0.5 - 1e-9;
        for (var i = 0; i < polygon.Length; i++)
        {
            var (a, b) = (polygon[i], polygon[(i + 1) % polygon.Length]);
            var firstRow = Math.Max(0, (int)Math.Floor(Math.Min(a.Y, b.Y) - h));
            var lastRow = Math.Min(height - 1, (int)Math.Floor(Math.Max(a.Y, b.Y) + h));
            for (var y = firstRow; y <= lastRow; y++)
            {
                var centre = y + 0.5;
                double t0, t1;
                if (Math.Abs(b.Y - a.Y) < 1e-12)
                {
                    if (Math.Abs(centre - a.Y) > h)
                    {
                        continue;
                    }

                    (t0, t1) = (0, 1);
                }
                else
                {
                    var ta = (centre - h - a.Y) / (b.Y - a.Y);
                    var tb = (centre + h - a.Y) / (b.Y - a.Y);
                    t0 = Math.Max(0, Math.Min(ta, tb));
                    t1 = Math.Min(1, Math.Max(ta, tb));
                    if (t0 > t1)
                    {
                        continue;
                    }
                }

                var x0 = a.X + (t0 * (b.X - a.X));
                var x1 = a.X + (t1 * (b.X - a.X));
                var first = Math.Max(0, (int)Math.Floor(Math.Min(x0, x1) - h - 0.5) + 1);
                var last = Math.Min(width - 1, (int)Math.Ceiling(Math.Max(x0, x1) + h - 0.5) - 1);
                if (first <= last)
                {
                    map.AsSpan((y * width) + first, last - first + 1).Clear();
                }
            }
        }
    }

    /// <summary>Normalised [0, 1] coordinates to pixel units, where pixel (i, j) is the square [i, i+1] × [j, j+1].</summary>
    private static Point2d[] Scale(Point2d[] polygon, int width, int height) =>
        [.. polygon.Select(p => new Point2d(p.X * width, p.Y * height))];

    private static Point2d[] ToPoints(PolygonOptions polygon) => [.. polygon.Points.Select(p => new Point2d(p[0], p[1]))];
}
