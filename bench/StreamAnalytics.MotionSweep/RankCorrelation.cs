namespace StreamAnalytics.MotionSweep;

/// <summary>Spearman's rank correlation: Pearson's correlation of the ranks, ties given their average rank.</summary>
internal static class RankCorrelation
{
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count || a.Count < 2)
        {
            throw new ArgumentException($"Spearman needs two series of the same length (at least 2); got {a.Count} and {b.Count}.");
        }

        var ra = Ranks(a);
        var rb = Ranks(b);
        var meanA = ra.Average();
        var meanB = rb.Average();
        double covariance = 0, varianceA = 0, varianceB = 0;
        for (var i = 0; i < ra.Length; i++)
        {
            covariance += (ra[i] - meanA) * (rb[i] - meanB);
            varianceA += (ra[i] - meanA) * (ra[i] - meanA);
            varianceB += (rb[i] - meanB) * (rb[i] - meanB);
        }

        return covariance / Math.Sqrt(varianceA * varianceB);
    }

    private static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            // Ranks start+1 … end+1 share their mean.
            var rank = ((start + end) / 2.0) + 1;
            for (var k = start; k <= end; k++)
            {
                ranks[order[k]] = rank;
            }

            start = end + 1;
        }

        return ranks;
    }
}
