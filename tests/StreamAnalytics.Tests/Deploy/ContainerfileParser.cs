using System.Text;
using System.Text.RegularExpressions;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>
/// Just enough of the Dockerfile grammar to check a file's structure: comments, line continuations,
/// instructions, and stages. Heredocs and parser directives other than comments are not used by our files.
/// </summary>
internal static partial class ContainerfileParser
{
    public static IReadOnlyList<ContainerfileStage> Parse(string text)
    {
        var stages = new List<ContainerfileStage>();
        List<(string, string)>? current = null;
        foreach (var line in LogicalLines(text))
        {
            var match = Instruction().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"Not an instruction: '{line}'.");
            }

            var keyword = match.Groups[1].Value.ToUpperInvariant();
            var arguments = match.Groups[2].Value.Trim();
            if (keyword == "FROM")
            {
                var from = FromLine().Match(arguments);
                current = [];
                stages.Add(new ContainerfileStage(from.Groups[1].Value, from.Groups[2].Success ? from.Groups[2].Value : null, current));
            }
            else if (current is null)
            {
                // Only ARG may come before the first FROM.
                if (keyword != "ARG")
                {
                    throw new FormatException($"{keyword} before the first FROM.");
                }
            }
            else
            {
                current.Add((keyword, arguments));
            }
        }

        return stages;
    }

    /// <summary>Comment lines dropped (also inside a continued instruction, as Docker does), continuations joined.</summary>
    private static IEnumerable<string> LogicalLines(string text)
    {
        var pending = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#') || (pending.Length == 0 && line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending.Append(line.AsSpan(0, line.Length - 1)).Append(' ');
                continue;
            }

            pending.Append(line);
            yield return pending.ToString().Trim();
            pending.Clear();
        }

        if (pending.Length > 0)
        {
            throw new FormatException("The file ends inside a continued line.");
        }
    }

    [GeneratedRegex(@"^([A-Za-z]+)\s+(.*)$")]
    private static partial Regex Instruction();

    [GeneratedRegex(@"^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();
}
