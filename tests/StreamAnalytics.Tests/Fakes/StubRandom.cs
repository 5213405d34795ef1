namespace StreamAnalytics.Tests.Fakes;

/// <summary>A <see cref="Random"/> whose <see cref="NextDouble"/> always returns the same value.</summary>
public sealed class StubRandom(double value) : Random
{
    public override double NextDouble() => value;
}
