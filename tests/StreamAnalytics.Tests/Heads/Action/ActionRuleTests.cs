using StreamAnalytics.Configuration;
using StreamAnalytics.Heads.Action;

namespace StreamAnalytics.Tests.Heads.Action;

public sealed class ActionRuleTests
{
    private static readonly string[] Labels = ["fall", "fight", "walk"];

    // Softmax of [2, 1, 0]: e² / (e² + e + 1) ≈ 0.665, e / (…) ≈ 0.245, 1 / (…) ≈ 0.090.
    private static readonly float[] Logits = [2f, 1f, 0f];

    private static double Softmax(int index)
    {
        var sum = Logits.Sum(l => Math.Exp(l));
        return Math.Exp(Logits[index]) / sum;
    }

    [Fact]
    public void Softmax_probabilities_are_compared_with_each_labels_threshold()
    {
        var rule = new ActionRule(new ActionOptions { Thresholds = new() { ["fall"] = 0.5, ["fight"] = 0.3 } });

        var matches = rule.Matches(Logits, Labels).ToList();

        var (label, probability, threshold) = Assert.Single(matches);
        Assert.Equal("fall", label);
        Assert.Equal(Softmax(0), probability, 5);
        Assert.Equal(0.5, threshold);
    }

    [Fact]
    public void A_probability_equal_to_the_threshold_matches()
    {
        var rule = new ActionRule(new ActionOptions { Thresholds = new() { ["x"] = 0.5 } });

        var match = Assert.Single(rule.Matches([0f, 0f], ["x", "y"]));

        Assert.Equal("x", match.Label);
        Assert.Equal(0.5, match.Probability, 6);
    }

    [Fact]
    public void Labels_without_a_threshold_are_ignored_when_there_is_no_default()
    {
        var rule = new ActionRule(new ActionOptions { Thresholds = new() { ["walk"] = 0.05 } });

        var matches = rule.Matches(Logits, Labels).ToList();

        Assert.Equal(["walk"], matches.Select(m => m.Label).ToArray());
    }

    [Fact]
    public void DefaultThreshold_applies_to_unlisted_labels_and_listed_ones_keep_their_own()
    {
        var rule = new ActionRule(new ActionOptions { DefaultThreshold = 0.05, Thresholds = new() { ["fall"] = 0.9 } });

        var matches = rule.Matches(Logits, Labels).ToList();

        Assert.Equal(["fight", "walk"], matches.Select(m => m.Label).ToArray());
        Assert.All(matches, m => Assert.Equal(0.05, m.Threshold));
        Assert.Equal(Softmax(1), matches[0].Probability, 5);
        Assert.Equal(Softmax(2), matches[1].Probability, 5);
    }

    [Fact]
    public void No_thresholds_means_no_matches()
    {
        var rule = new ActionRule(new ActionOptions());

        Assert.Empty(rule.Matches(Logits, Labels));
    }

    [Fact]
    public void Probabilities_sum_to_one_over_all_labels()
    {
        var rule = new ActionRule(new ActionOptions { DefaultThreshold = 0 });

        var matches = rule.Matches([3f, -1f, 0.5f, 7f], ["a", "b", "c", "d"]).ToList();

        Assert.Equal(4, matches.Count);
        Assert.Equal(1.0, matches.Sum(m => m.Probability), 5);
    }

    [Fact]
    public void Logits_and_labels_of_different_lengths_throw()
    {
        var rule = new ActionRule(new ActionOptions { DefaultThreshold = 0.1 });

        var ex = Assert.Throws<ArgumentException>(() => rule.Matches(Logits, ["fall", "fight"]));

        Assert.Contains("3 logits for 2 labels", ex.Message, StringComparison.Ordinal);
    }
}
