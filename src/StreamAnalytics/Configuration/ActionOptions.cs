namespace StreamAnalytics.Configuration;

/// <summary>Raises an <c>action</c> event when a model's class probability passes its label's threshold.</summary>
internal sealed class ActionOptions
{
    /// <summary>Label → probability threshold. Only labels listed here (or all, with <see cref="DefaultThreshold"/>) alert.</summary>
    public Dictionary<string, double> Thresholds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Threshold for labels not in <see cref="Thresholds"/>; unset: those labels never alert.</summary>
    public double? DefaultThreshold { get; set; }

    /// <summary>Least capture time between the end of one incident of a camera and label and the start of the next.</summary>
    public double CooldownSeconds { get; set; } = 10;
}
