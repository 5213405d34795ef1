using System.Collections;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace StreamAnalytics.Configuration;

/// <summary>
/// A strict schema for the options classes: reports every unknown key (usually a typo that would
/// otherwise be ignored in silence) and every value that does not convert, instead of stopping at the first.
/// </summary>
internal static class ConfigurationSchemaChecker
{
    public static List<string> Check(IConfigurationSection section, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type) =>
        Check(section, type, out _);

    /// <param name="unconvertible">Configuration paths whose values do not convert: bind without them, or binding throws (or, inside a list, silently drops the element).</param>
    public static List<string> Check(IConfigurationSection section, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, out HashSet<string> unconvertible)
    {
        var problems = new List<string>();
        unconvertible = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CheckObject(section, type, problems, unconvertible);
        return problems;
    }

    /// <summary>
    /// <paramref name="section"/> without the values <see cref="Check(IConfigurationSection, Type, out HashSet{string})"/>
    /// found unconvertible. They are already reported; binding them would throw at the first one (or silently drop a
    /// whole camera), hiding everything else the validator can still say.
    /// </summary>
    public static IConfigurationSection Bindable(IConfigurationSection section, HashSet<string> unconvertible) =>
        unconvertible.Count == 0
            ? section
            : new ConfigurationBuilder()
                .AddInMemoryCollection(section.AsEnumerable().Where(kv => !unconvertible.Contains(kv.Key)))
                .Build()
                .GetSection(section.Path);

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Options types are kept by the binder.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Options types are kept by the binder.")]
    private static void CheckObject(IConfigurationSection section, Type type, List<string> problems, HashSet<string> unconvertible)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problems.Add($"{Describe(child)}: unknown setting '{child.Key}' (known: {string.Join(", ", properties.Keys)}).");
                continue;
            }

            CheckValue(child, property.PropertyType, problems, unconvertible);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2062", Justification = "Options types are kept by the binder.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Options types are kept by the binder.")]
    private static void CheckValue(IConfigurationSection section, Type type, List<string> problems, HashSet<string> unconvertible)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
        {
            return;
        }

        if (target.IsPrimitive || target.IsEnum || target == typeof(decimal))
        {
            var nullable = Nullable.GetUnderlyingType(type) is not null;
            if (section.Value is { } value && (value.Length > 0 ? !Converts(value, target) : !nullable))
            {
                problems.Add($"{Describe(section)}: '{value}' is not a valid {FriendlyName(target)}.");
                unconvertible.Add(section.Path);
            }

            return;
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            foreach (var entry in section.GetChildren())
            {
                CheckValue(entry, target.GetGenericArguments()[1], problems, unconvertible);
            }

            return;
        }

        if (target.IsArray || (target.IsGenericType && typeof(IEnumerable).IsAssignableFrom(target)))
        {
            var element = target.IsArray ? target.GetElementType()! : target.GetGenericArguments()[0];
            foreach (var item in section.GetChildren())
            {
                if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    problems.Add($"{Describe(section)}: expected a list, found key '{item.Key}'.");
                    continue;
                }

                CheckValue(item, element, problems, unconvertible);
            }

            return;
        }

        if (section.Value is { Length: > 0 })
        {
            problems.Add($"{Describe(section)}: expected a section with settings, found the value '{section.Value}'.");
            return;
        }

        CheckObject(section, target, problems, unconvertible);
    }

    private static bool Converts(string value, Type type)
    {
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    private static string FriendlyName(Type type) =>
        type == typeof(bool) ? "true/false" : type == typeof(int) ? "whole number" : type == typeof(double) || type == typeof(float) ? "number" : type.Name;

    /// <summary>"StreamAnalytics:Cameras:1:Width" becomes "Cameras[1].Width"; the camera's id is added by the caller where known.</summary>
    private static string Describe(IConfigurationSection section)
    {
        var parts = section.Path.Split(':');
        var start = parts.Length > 0 && parts[0] == StreamAnalyticsOptions.SectionName ? 1 : 0;
        var text = new System.Text.StringBuilder();
        for (var i = start; i < parts.Length; i++)
        {
            if (int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                text.Append('[').Append(parts[i]).Append(']');
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append(parts[i]);
            }
        }

        return text.ToString();
    }
}
