using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Tests.Heads.Motion;

public sealed class CellAtomsTests
{
    public static TheoryData<int, int, int> Grids => new()
    {
        { 360, 64, 32 },
        { 240, 64, 32 },
        { 180, 32, 16 },
        { 120, 32, 16 },
        { 192, 34, 17 },
        { 128, 34, 17 },
        { 100, 30, 30 },
        { 96, 32, 32 },
        { 40, 64, 32 },
    };

    /// <summary>The summary adds each pixel to its atom and each cell adds up its atoms: that is only right if a cell's atoms are exactly its pixels.</summary>
    [Theory]
    [MemberData(nameof(Grids))]
    public void A_cells_atoms_hold_exactly_its_pixels(int length, int cellSize, int stride)
    {
        var options = new MotionFeatureOptions { AnalysisWidth = length, AnalysisHeight = 360, CellSize = Math.Min(cellSize, length), CellStride = Math.Min(stride, Math.Min(cellSize, length)) };
        var cells = options.Columns;
        var atoms = new CellAtoms(options, length, cells);

        Assert.Equal(length, atoms.AtomOf.Length);
        for (var i = 0; i < cells; i++)
        {
            var origin = options.CellOrigin(i, length);
            var end = Math.Min(length, origin + options.CellSize);
            for (var p = 0; p < length; p++)
            {
                var inCell = p >= origin && p < end;
                var inAtoms = atoms.AtomOf[p] >= atoms.First[i] && atoms.AtomOf[p] <= atoms.Last[i];
                Assert.True(inCell == inAtoms, $"cell {i} ({origin}..{end - 1}), pixel {p}: in cell {inCell}, in its atoms {inAtoms}");
            }
        }

        // Atoms are runs of consecutive pixels, numbered in order.
        for (var p = 1; p < length; p++)
        {
            Assert.InRange(atoms.AtomOf[p] - atoms.AtomOf[p - 1], 0, 1);
        }

        Assert.Equal(0, atoms.AtomOf[0]);
        Assert.Equal(atoms.Count - 1, atoms.AtomOf[^1]);
    }
}
