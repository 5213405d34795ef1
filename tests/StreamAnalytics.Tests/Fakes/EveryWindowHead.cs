using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>A window head that must see every window (as the action heads must) and says nothing about any.</summary>
internal sealed class EveryWindowHead : IWindowHead
{
    public const string HeadName = "every-window";

    public string Name => HeadName;

    public bool NeedsEveryWindow => true;

    public int Windows { get; private set; }

    public void Evaluate(in WindowOutputs window, ICollection<HeadResult> results) => Windows++;

    public void Dispose()
    {
        // Holds nothing.
    }
}
