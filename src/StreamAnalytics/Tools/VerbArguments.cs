namespace StreamAnalytics.Tools;

/// <summary>
/// Option parsing for the offline verbs: <c>--name value</c> or <c>--name=value</c>; a name listed as
/// multi-valued takes every value up to the next option. Unknown options, missing values and repeats are
/// errors, reported with the verb's usage.
/// </summary>
internal static class VerbArguments
{
    public static bool TryParse(string[] args, string[] single, string[] multi, string[] required, string usage, TextWriter error, out Dictionary<string, List<string>> values)
    {
        var parsed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        values = parsed;
        string? problem = null;
        for (var i = 0; i < args.Length && problem is null; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                problem = $"unexpected argument '{arg}'";
                break;
            }

            string name;
            var given = new List<string>();
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                given.Add(arg[(equals + 1)..]);
            }
            else
            {
                name = arg;
                while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    given.Add(args[++i]);
                }
            }

            var isMulti = multi.Contains(name);
            if (!isMulti && !single.Contains(name))
            {
                problem = $"unknown option '{name}'";
            }
            else if (given.Count == 0 || given.Any(string.IsNullOrWhiteSpace))
            {
                problem = $"{name} needs a value";
            }
            else if (!isMulti && (given.Count > 1 || parsed.ContainsKey(name)))
            {
                problem = $"{name} takes one value";
            }
            else
            {
                if (!parsed.TryGetValue(name, out var list))
                {
                    parsed[name] = list = [];
                }

                list.AddRange(given);
            }
        }

        problem ??= required.Where(r => !parsed.ContainsKey(r)).Select(r => $"{r} is required").FirstOrDefault();
        if (problem is null)
        {
            return true;
        }

        error.WriteLine($"{problem}.{Environment.NewLine}{usage}");
        return false;
    }
}
