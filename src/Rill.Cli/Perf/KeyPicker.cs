namespace Rill.Cli.Perf;

/// <summary>Draws the next key index from <c>--key-count</c> keys, in order or at random; one per producing thread.</summary>
internal sealed class KeyPicker
{
    private readonly KeyDistribution _distribution;
    private readonly int _count;
    private readonly Random _random;
    private int _next;

    public KeyPicker(KeyDistribution distribution, int count, int start)
    {
        _distribution = distribution;
        _count = count;
        _next = count == 0 ? 0 : start % count;
        _random = new Random(start);
    }

    /// <summary>The next key's index, or -1 when records have no key.</summary>
    public int Next()
    {
        switch (_distribution)
        {
            case KeyDistribution.Random:
                return _random.Next(_count);
            case KeyDistribution.Sequential:
                var index = _next;
                _next = index + 1 == _count ? 0 : index + 1;
                return index;
            default:
                return -1;
        }
    }
}
