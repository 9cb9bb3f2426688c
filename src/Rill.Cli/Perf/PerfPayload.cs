namespace Rill.Cli.Perf;

/// <summary>Record values and keys, made once before a run so that producing allocates nothing per record.</summary>
internal static class PerfPayload
{
    /// <summary>Random upper-case letters, as Kafka's ProducerPerformance writes when given no payload file.</summary>
    public static byte[] Value(int size)
    {
        var value = new byte[size];
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = (byte)('A' + Random.Shared.Next(26));
        }

        return value;
    }

    /// <summary><c>key-0</c> .. <c>key-(count-1)</c>, zero-padded to one width; null for <see cref="KeyDistribution.None"/>.</summary>
    public static byte[][]? Keys(KeyDistribution distribution, int count)
    {
        if (distribution == KeyDistribution.None)
        {
            return null;
        }

        var width = (count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        var keys = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            keys[i] = System.Text.Encoding.ASCII.GetBytes("key-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0'));
        }

        return keys;
    }
}
