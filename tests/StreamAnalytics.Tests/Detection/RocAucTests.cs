using StreamAnalytics.Detection;

namespace StreamAnalytics.Tests.Detection;

public sealed class RocAucTests
{
    [Fact]
    public void Perfect_separation_is_one_and_reversed_is_zero()
    {
        bool[] labels = [false, false, true, true];

        Assert.Equal(1.0, RocAuc.Compute([0.1, 0.2, 0.3, 0.4], labels));
        Assert.Equal(0.0, RocAuc.Compute([0.4, 0.3, 0.2, 0.1], labels));
    }

    [Fact]
    public void Matches_the_textbook_example()
    {
        // The example of scikit-learn's roc_auc_score: 3 of the 4 positive/negative pairs are ordered right.
        Assert.Equal(0.75, RocAuc.Compute([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 12);
    }

    [Fact]
    public void Tied_scores_count_one_half()
    {
        Assert.Equal(0.5, RocAuc.Compute([0.5, 0.5], [false, true]));
        Assert.Equal(0.5, RocAuc.Compute([1, 1, 1, 1, 1], [true, false, true, false, false]));

        // Pairs: (p=2, n=1) right, (p=2, n=2) tie, (p=1, n=1) tie, (p=1, n=2) wrong → (1 + 0.5 + 0.5 + 0) / 4.
        Assert.Equal(0.5, RocAuc.Compute([2, 1, 1, 2], [true, true, false, false]), 12);
    }

    [Fact]
    public void Result_does_not_depend_on_the_order_of_items()
    {
        double[] scores = [0.3, 0.9, 0.3, 0.1, 0.7, 0.3, 0.9];
        bool[] labels = [true, true, false, false, false, true, false];
        var expected = BruteForce(scores, labels);

        var order = new[] { 6, 2, 4, 0, 5, 1, 3 };
        var shuffledScores = order.Select(i => scores[i]).ToArray();
        var shuffledLabels = order.Select(i => labels[i]).ToArray();

        Assert.Equal(expected, RocAuc.Compute(scores, labels), 12);
        Assert.Equal(expected, RocAuc.Compute(shuffledScores, shuffledLabels), 12);
    }

    [Fact]
    public void One_class_only_is_undefined()
    {
        Assert.True(double.IsNaN(RocAuc.Compute([0.1, 0.2], [true, true])));
        Assert.True(double.IsNaN(RocAuc.Compute([0.1, 0.2], [false, false])));
        Assert.True(double.IsNaN(RocAuc.Compute([], [])));
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => RocAuc.Compute([0.1, 0.2], [true]));
        Assert.Throws<ArgumentException>(() => RocAuc.Compute([0.1, double.NaN], [true, false]));
    }

    /// <summary>The definition: the share of (positive, negative) pairs the positive wins, ties one half.</summary>
    private static double BruteForce(double[] scores, bool[] labels)
    {
        double wins = 0;
        var pairs = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            for (var j = 0; j < scores.Length; j++)
            {
                if (labels[i] && !labels[j])
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        return wins / pairs;
    }
}
