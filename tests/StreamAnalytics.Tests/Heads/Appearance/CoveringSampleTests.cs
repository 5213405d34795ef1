using System.Numerics.Tensors;
using StreamAnalytics.Heads.Appearance;

namespace StreamAnalytics.Tests.Heads.Appearance;

public sealed class CoveringSampleTests
{
    private static float[] At(double degrees) => [(float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180)];

    [Fact]
    public void A_scene_offered_over_and_over_stays_covered_one_window_per_moment()
    {
        var sample = new CoveringSample(3, WholeFrameMetric.Instance);

        // Three moments of a loop, each seen twice, a little apart: a uniform sample of six keeps any three.
        foreach (var degrees in (double[])[0, 120, 240, 1, 121, 241])
        {
            sample.Offer(At(degrees));
        }

        var kept = sample.Windows.Select(w => Math.Round(Math.Atan2(w[1], w[0]) * 180 / Math.PI)).Select(d => (d + 360) % 360).Order().ToArray();
        Assert.Equal(3, kept.Length);
        Assert.Equal([0, 120, 240], kept.Select(d => Math.Floor(d / 120) * 120));
    }

    [Fact]
    public void Each_offer_lets_go_of_the_window_nearest_to_another_the_older_on_a_tie_as_a_full_search_would()
    {
        var random = new Random(5);
        var sample = new CoveringSample(10, WholeFrameMetric.Instance);
        var reference = new List<float[]>();
        for (var n = 0; n < 300; n++)
        {
            var window = new float[8];
            for (var k = 0; k < window.Length; k++)
            {
                window[k] = (float)random.NextDouble();
            }

            TensorPrimitives.Divide(window, TensorPrimitives.Norm(window), window);
            sample.Offer(window);

            reference.Add(window);
            if (reference.Count > 10)
            {
                var nearest = reference.Select((w, i) => reference.Where((_, j) => j != i).Min(o => WholeFrameMetric.Instance.Distance(w, o))).ToList();
                reference.RemoveAt(nearest.IndexOf(nearest.Min()));
            }

            Assert.Equal(reference, sample.Windows);
        }
    }
}
