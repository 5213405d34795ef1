namespace StreamAnalytics.Detection;

/// <summary>
/// Area under the ROC curve from scores and binary labels, by ranks (Mann–Whitney U): the chance that a
/// random positive outscores a random negative, ties counting one half. Tied scores share their average
/// rank, so the result does not depend on the order of tied items.
/// </summary>
internal static class RocAuc
{
    /// <returns>The AUC in [0, 1], or NaN when there are no positives or no negatives (undefined).</returns>
    public static double Compute(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive)
    {
        if (scores.Length != positive.Length)
        {
            throw new ArgumentException($"{scores.Length} scores but {positive.Length} labels.");
        }

        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            if (double.IsNaN(scores[i]))
            {
                throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            }

            order[i] = i;
        }

        var values = scores.ToArray();
        Array.Sort(values, order);
        long positives = 0;
        var rankSum = 0.0;
        var start = 0;
        while (start < values.Length)
        {
            var end = start + 1;
            while (end < values.Length && values[end] == values[start])
            {
                end++;
            }

            // Ranks are 1-based: the tied run [start, end) shares the mean of ranks start+1 … end.
            var averageRank = (start + 1 + end) / 2.0;
            for (var i = start; i < end; i++)
            {
                if (positive[order[i]])
                {
                    positives++;
                    rankSum += averageRank;
                }
            }

            start = end;
        }

        var negatives = values.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (rankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }
}
