namespace Rill.Config;

/// <summary>Which start-up input set a broker value; later inputs win, in this order.</summary>
public enum ConfigOrigin
{
    Default,
    PropertiesFile,
    Environment,
    Override,
}
