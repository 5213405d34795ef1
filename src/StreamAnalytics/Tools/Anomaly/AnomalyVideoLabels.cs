namespace StreamAnalytics.Tools.Anomaly;

/// <summary>Ground truth for one video of a labels.json: its frame count and its anomalous frame ranges (1-based, inclusive).</summary>
internal sealed record AnomalyVideoLabels(string Name, int Frames, IReadOnlyList<(int First, int Last)> AnomalousRanges)
{
    public bool IsAnomalous(long frame)
    {
        foreach (var (first, last) in AnomalousRanges)
        {
            if (frame >= first && frame <= last)
            {
                return true;
            }
        }

        return false;
    }
}
