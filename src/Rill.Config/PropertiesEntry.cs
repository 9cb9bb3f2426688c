namespace Rill.Config;

/// <summary>One key and value read from a properties file, with the line its logical line starts on.</summary>
public sealed record PropertiesEntry(string Key, string Value, int LineNumber);
