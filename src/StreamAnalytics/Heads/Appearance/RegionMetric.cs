using System.Numerics.Tensors;

namespace StreamAnalytics.Heads.Appearance;

/// <summary>
/// The window's feature map cell by cell (<c>Detection.Anomaly.Regions</c>): each cell's vector at unit length, compared
/// with the same cell of the normal windows by cosine distance, divided by that cell's scale; a window scores its
/// <c>MinCells</c>-th most unusual cell, so the threshold is a margin over the scale. A cell's scale is the
/// <see cref="ScaleQuantile"/> quantile of the calibration windows' distances there to the nearest window of the other
/// half of the calibration: held out in time, since consecutive windows share frames and are each other's nearest, and
/// per cell, since a cell where people walk varies more than a wall. A quantile, not the largest: one walker crossing
/// a cell in one half only set the largest, and a parked box then scored 1.2 times its margin instead of 2.9 (same
/// false incidents on Ped2's training plays). It is learned once, at calibration, and kept through refreshes and lasting changes, as
/// the whole-frame threshold is (docs/models.md, "Per region, on footage it did not learn").
/// </summary>
internal sealed class RegionMetric : IWindowMetric
{
    // A cell that never changed in calibration (a masked corner) would otherwise alert on the least noise.
    public const double MinScale = 1e-3;

    /// <summary>Chosen in bench/StreamAnalytics.RegionAppearance/calibration_study.py (docs/models.md).</summary>
    public const double ScaleQuantile = 0.9;

    private readonly int _channels;
    private readonly int _cells;
    private readonly int _minCells;
    private double[]? _scales;

    /// <param name="channels">Values per cell.</param>
    /// <param name="cells">Cells of the map; the map comes channel-major (channel × cells), as ONNX lays out C×H×W.</param>
    /// <param name="minCells">The window's score is its N-th most unusual cell.</param>
    /// <param name="scales">Per-cell scales learned before (a saved calibration); null: learned at <see cref="Calibrate"/>.</param>
    public RegionMetric(int channels, int cells, int minCells, IReadOnlyList<double>? scales = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cells, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCells, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minCells, cells);
        if (scales is not null && (scales.Count != cells || scales.Any(s => !double.IsFinite(s) || s < MinScale)))
        {
            throw new ArgumentException($"{scales.Count} scales for {cells} cells, each at least {MinScale}.", nameof(scales));
        }

        _channels = channels;
        _cells = cells;
        _minCells = minCells;
        _scales = scales?.ToArray();
    }

    /// <summary>The per-cell scales; null until calibrated.</summary>
    public IReadOnlyList<double>? Scales => _scales;

    public void Prepare(ReadOnlySpan<float> window, Span<float> destination)
    {
        if (window.Length != _channels * _cells)
        {
            throw new ArgumentException($"A map of {window.Length} values, where {_channels} channels x {_cells} cells are read.", nameof(window));
        }

        for (var c = 0; c < _cells; c++)
        {
            var cell = destination.Slice(c * _channels, _channels);
            for (var k = 0; k < _channels; k++)
            {
                cell[k] = window[(k * _cells) + c];
            }

            var norm = TensorPrimitives.Norm(cell);
            if (norm > 0)
            {
                TensorPrimitives.Divide(cell, norm, cell);
            }
        }
    }

    public double Nearest(float[] query, IReadOnlyList<float[]> normal, int skip)
    {
        var scales = _scales ?? throw new InvalidOperationException("The region metric scores only once calibrated.");
        Span<double> scaled = stackalloc double[_cells];
        for (var c = 0; c < _cells; c++)
        {
            var best = double.MaxValue;
            for (var i = 0; i < normal.Count; i++)
            {
                if (i != skip)
                {
                    best = Math.Min(best, CellDistance(query, normal[i], c));
                }
            }

            scaled[c] = Math.Max(0, best) / scales[c];
        }

        return NthLargest(scaled);
    }

    public double Distance(float[] a, float[] b)
    {
        var scales = _scales ?? throw new InvalidOperationException("The region metric compares only once calibrated.");
        Span<double> scaled = stackalloc double[_cells];
        for (var c = 0; c < _cells; c++)
        {
            scaled[c] = Math.Max(0, CellDistance(a, b, c)) / scales[c];
        }

        return NthLargest(scaled);
    }

    public void Calibrate(IReadOnlyList<float[]> normal)
    {
        if (_scales is not null)
        {
            return;
        }

        var half = normal.Count / 2;
        var heldOut = new double[_cells][];
        for (var c = 0; c < _cells; c++)
        {
            heldOut[c] = new double[normal.Count];
        }

        for (var i = 0; i < normal.Count; i++)
        {
            var (from, to) = i < half ? (half, normal.Count) : (0, half);
            for (var c = 0; c < _cells; c++)
            {
                var best = double.MaxValue;
                for (var j = from; j < to; j++)
                {
                    best = Math.Min(best, CellDistance(normal[i], normal[j], c));
                }

                heldOut[c][i] = best;
            }
        }

        _scales = [.. heldOut.Select(d => Math.Max(MinScale, Quantile(d, ScaleQuantile)))];
    }

    /// <summary>Linear between the two nearest ranks, as numpy's default, so the study's figures hold for the product; sorts <paramref name="values"/>.</summary>
    private static double Quantile(double[] values, double q)
    {
        Array.Sort(values);
        var position = q * (values.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, values.Length - 1);
        return values[below] + ((position - below) * (values[above] - values[below]));
    }

    private double CellDistance(float[] a, float[] b, int cell) =>
        1.0 - TensorPrimitives.Dot(a.AsSpan(cell * _channels, _channels), b.AsSpan(cell * _channels, _channels));

    private double NthLargest(Span<double> values)
    {
        values.Sort();
        return values[^_minCells];
    }
}
