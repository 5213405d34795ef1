using Microsoft.Extensions.Options;
using StreamAnalytics.Configuration.Validation;

namespace StreamAnalytics.Configuration;

/// <summary>
/// Checks the whole configuration and reports every problem at once, each naming its camera or section,
/// so an operator fixes a file in one pass instead of one restart per mistake.
/// </summary>
internal sealed class StreamAnalyticsOptionsValidator : IValidateOptions<StreamAnalyticsOptions>
{
    // In the order of the file's sections, so the report reads top to bottom like the file.
    private static readonly IOptionsSectionValidator[] Sections =
    [
        new CamerasValidator(),
        new WindowValidator(),
        new ModelValidator(),
        new DetectionValidator(),
        new MqttValidator(),
        new MetricsValidator(),
        new HttpValidator(),
        new PipelineValidator(),
        new ShardingValidator(),
    ];

    public ValidateOptionsResult Validate(string? name, StreamAnalyticsOptions options)
    {
        var errors = Collect(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Collect(StreamAnalyticsOptions options)
    {
        var errors = new List<string>();
        foreach (var section in Sections)
        {
            section.Validate(options, errors);
        }

        return errors;
    }
}
