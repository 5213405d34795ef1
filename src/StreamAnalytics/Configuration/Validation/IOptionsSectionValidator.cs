namespace StreamAnalytics.Configuration.Validation;

/// <summary>
/// Checks one section of the configuration. A validator adds every problem it finds instead of stopping at the
/// first, so that <see cref="StreamAnalyticsOptionsValidator"/> can report a whole file's mistakes in one pass.
/// </summary>
internal interface IOptionsSectionValidator
{
    void Validate(StreamAnalyticsOptions options, ICollection<string> errors);
}
