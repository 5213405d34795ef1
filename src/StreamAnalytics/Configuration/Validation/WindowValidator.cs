namespace StreamAnalytics.Configuration.Validation;

/// <summary>The Window section: the window every camera uses unless it sets its own.</summary>
internal sealed class WindowValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors) => WindowRules.Check(options.Window, "Window", errors);
}
