using Rill.Common;

namespace Rill.Config;

/// <summary>
/// A configuration that cannot be used: an unknown key, a malformed value or a combination Rill
/// cannot serve. The message names the key (and the value and reason when there is one); on the wire
/// it is <see cref="ErrorCode.InvalidConfig"/>.
/// </summary>
public sealed class ConfigException : KafkaException
{
    /// <summary>A configuration problem that is not one key's, such as a data directory of another cluster.</summary>
    public ConfigException(string message)
        : base(ErrorCode.InvalidConfig, message)
    {
    }

    public ConfigException(string? key, string message)
        : base(ErrorCode.InvalidConfig, message)
    {
        Key = key;
    }

    /// <summary>The key at fault, or null for a file that cannot be read at all.</summary>
    public string? Key { get; }
}
