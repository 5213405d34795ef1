using System.Globalization;

namespace StreamAnalytics.Testing;

/// <summary>
/// The direct children of a process, read from <c>/proc/*/stat</c>. Unlike <see cref="System.Diagnostics.Process"/>
/// this also sees zombies (state <c>Z</c>): a child that exited but was never reaped.
/// </summary>
public static class ChildProcesses
{
    public sealed record Child(int Pid, string Command, char State)
    {
        public bool IsZombie => State == 'Z';

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Command} (pid {Pid}, state {State})");
    }

    /// <summary>Children of <paramref name="parentPid"/> whose command name (<c>comm</c>) is one of <paramref name="commands"/>.</summary>
    public static IReadOnlyList<Child> Of(int parentPid, params string[] commands)
    {
        var children = new List<Child>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Exited between listing and reading.
                continue;
            }

            if (Parse(stat) is { } entry && entry.ParentPid == parentPid && commands.Contains(entry.Command, StringComparer.Ordinal))
            {
                children.Add(new Child(pid, entry.Command, entry.State));
            }
        }

        return children;
    }

    /// <summary>"pid (comm) state ppid …"; comm may itself contain spaces and parentheses, so it ends at the last ')'.</summary>
    internal static (string Command, char State, int ParentPid)? Parse(string stat)
    {
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= stat.Length)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ', 3);
        if (fields.Length < 2 || fields[0].Length != 1 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
        {
            return null;
        }

        return (stat[(open + 1)..close], fields[0][0], parent);
    }
}
