namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// One axis of a <see cref="MotionFeatureExtractor"/> grid cut into atoms: the pieces between consecutive cell borders
/// (cell starts and ends). Every pixel of an atom lies in the same cells, and every cell is a whole run of atoms.
/// </summary>
internal sealed class CellAtoms
{
    public CellAtoms(MotionFeatureOptions options, int length, int cells)
    {
        var borders = new SortedSet<int> { 0, length };
        for (var i = 0; i < cells; i++)
        {
            var origin = options.CellOrigin(i, length);
            borders.Add(origin);
            borders.Add(Math.Min(length, origin + options.CellSize));
        }

        var starts = borders.ToArray();
        Count = starts.Length - 1;
        AtomOf = new int[length];
        for (var a = 0; a < Count; a++)
        {
            Array.Fill(AtomOf, a, starts[a], starts[a + 1] - starts[a]);
        }

        First = new int[cells];
        Last = new int[cells];
        for (var i = 0; i < cells; i++)
        {
            var origin = options.CellOrigin(i, length);
            First[i] = AtomOf[origin];
            Last[i] = AtomOf[Math.Min(length, origin + options.CellSize) - 1];
        }
    }

    /// <summary>Atoms along the axis.</summary>
    public int Count { get; }

    /// <summary>For each pixel along the axis, the atom it belongs to.</summary>
    public int[] AtomOf { get; }

    /// <summary>For each cell along the axis, its first atom.</summary>
    public int[] First { get; }

    /// <summary>For each cell along the axis, its last atom.</summary>
    public int[] Last { get; }
}
