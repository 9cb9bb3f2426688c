using System.Globalization;

namespace Rill.Config;

/// <summary>
/// Checks a parsed value. <see cref="Check"/> returns why the value is refused, or null;
/// <see cref="ToString"/> is the "valid values" text in docs/configuration.md.
/// </summary>
public abstract class ConfigValidator
{
    public abstract string? Check(object value);

    public static ConfigValidator AtLeast(long min) => new RangeValidator(min);

    public static ConfigValidator Between(double min, double max) => new DoubleRangeValidator(min, max);

    public static ConfigValidator OneOf(params string[] allowed) => new OneOfValidator(allowed, StringComparer.Ordinal);

    public static ConfigValidator OneOfIgnoreCase(params string[] allowed) =>
        new OneOfValidator(allowed, StringComparer.OrdinalIgnoreCase);

    /// <summary>A non-empty list whose items are all in <paramref name="allowed"/>, each at most once.</summary>
    public static ConfigValidator NonEmptyListOf(params string[] allowed) => new ListOfValidator(allowed);

    /// <summary>A rule that does not fit the shapes above; <paramref name="check"/> returns the reason or null.</summary>
    public static ConfigValidator Custom(string description, Func<object, string?> check) =>
        new CustomValidator(description, check);

    private sealed class RangeValidator(long min) : ConfigValidator
    {
        public override string? Check(object value) =>
            Convert.ToInt64(value, CultureInfo.InvariantCulture) < min
                ? $"must be at least {min.ToString(CultureInfo.InvariantCulture)}"
                : null;

        public override string ToString() => $"[{min.ToString(CultureInfo.InvariantCulture)},...]";
    }

    private sealed class DoubleRangeValidator(double min, double max) : ConfigValidator
    {
        public override string? Check(object value)
        {
            var number = (double)value;
            return number < min || number > max
                ? $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}"
                : null;
        }

        public override string ToString() =>
            $"[{min.ToString(CultureInfo.InvariantCulture)},...,{max.ToString(CultureInfo.InvariantCulture)}]";
    }

    private sealed class OneOfValidator(string[] allowed, StringComparer comparer) : ConfigValidator
    {
        public override string? Check(object value) =>
            allowed.Contains((string)value, comparer) ? null : $"must be one of {string.Join(", ", allowed)}";

        public override string ToString() => string.Join(", ", allowed);
    }

    private sealed class ListOfValidator(string[] allowed) : ConfigValidator
    {
        public override string? Check(object value)
        {
            var items = (IReadOnlyList<string>)value;
            if (items.Count == 0)
            {
                return $"must list at least one of {string.Join(", ", allowed)}";
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                if (!allowed.Contains(item, StringComparer.Ordinal))
                {
                    return $"'{item}' is not one of {string.Join(", ", allowed)}";
                }

                if (!seen.Add(item))
                {
                    return $"'{item}' is listed twice";
                }
            }

            return null;
        }

        public override string ToString() => $"non-empty list of {string.Join(", ", allowed)}";
    }

    private sealed class CustomValidator(string description, Func<object, string?> check) : ConfigValidator
    {
        public override string? Check(object value) => check(value);

        public override string ToString() => description;
    }
}
