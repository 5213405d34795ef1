using System.CommandLine;
using System.CommandLine.Parsing;

namespace StreamAnalytics.Cli;

/// <summary>The option shapes the verbs share: a required or optional single path, named in help by what it holds.</summary>
internal static class VerbOptions
{
    public static Option<string> Required(string name, string helpName, string description) => new(name)
    {
        Required = true,
        HelpName = helpName,
        Description = description,
        Validators = { ValuesGiven },
    };

    public static Option<string> Optional(string name, string helpName, string description, string? defaultValue = null)
    {
        var option = new Option<string>(name)
        {
            HelpName = helpName,
            Description = description,
            Validators = { ValuesGiven },
        };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        return option;
    }

    /// <summary>Footage: one or more files or folders (a folder means its .mp4/.avi files, in name order).</summary>
    public static Option<string[]> Inputs(string description) => new("--input")
    {
        Required = true,
        HelpName = "FILE_OR_DIR",
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
        Validators = { ValuesGiven },
    };

    /// <summary>
    /// An empty value (<c>--out ""</c>) would reach the tool as the working folder or a nameless file. An
    /// unknown option after an option that takes values (<c>--input a.mp4 --bogus</c>) would be taken as one
    /// of its values: a typo must be an error, not a file name.
    /// </summary>
    public static void ValuesGiven(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (string.IsNullOrWhiteSpace(token.Value))
            {
                result.AddError($"{result.Option.Name} needs a value.");
            }
            else if (token.Value.StartsWith("--", StringComparison.Ordinal))
            {
                result.AddError($"Unrecognized option '{token.Value}'.");
            }
        }
    }
}
