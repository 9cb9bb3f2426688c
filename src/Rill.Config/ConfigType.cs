namespace Rill.Config;

/// <summary>The type of a configuration value; the numbers are DescribeConfigs' ConfigType (v3+).</summary>
public enum ConfigType : sbyte
{
    Boolean = 1,
    String = 2,
    Int = 3,
    Short = 4,
    Long = 5,
    Double = 6,
    List = 7,
    Class = 8,
    Password = 9,
}
