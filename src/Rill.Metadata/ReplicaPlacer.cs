namespace Rill.Metadata;

/// <summary>
/// Places new partitions' replicas as Kafka's StripedReplicaPlacer does: the replicas of a partition go to as many
/// racks as they can, round-robin over the racks from a random start that moves on by one rack per partition, and
/// round-robin within each rack from a random start too, so that partitions (and with them their leaders, the
/// first replicas) spread evenly over brokers and racks; once every broker has led a partition the order is shuffled,
/// so that the same replica sets do not repeat. Brokers without <c>broker.rack</c> count as one rack of their own.
/// Only brokers that are unfenced and not shutting down are given; the randomness is the controller's, so a seed
/// makes a placement repeatable.
/// </summary>
internal sealed class ReplicaPlacer
{
    private readonly Random _random;
    private readonly List<string?> _rackNames;
    private readonly Dictionary<string, BrokerList> _racks = new(StringComparer.Ordinal);
    private readonly int _brokerCount;
    private int _epoch;
    private int _offset;

    public ReplicaPlacer(IEnumerable<BrokerRegistration> brokers, Random random)
    {
        _random = random;
        foreach (var broker in brokers)
        {
            var key = RackKey(broker.Rack);
            if (!_racks.TryGetValue(key, out var rack))
            {
                rack = new BrokerList();
                _racks.Add(key, rack);
            }

            rack.Brokers.Add(broker.BrokerId);
            _brokerCount++;
        }

        // The broker list of each rack sorted, racks sorted by name with the brokers without a rack first.
        _rackNames = [.. _racks.Keys.Order(StringComparer.Ordinal).Select(key => key.Length == 0 ? null : key[1..])];
        foreach (var rack in _racks.Values)
        {
            rack.Initialize(random);
        }

        _offset = _rackNames.Count == 0 ? 0 : random.Next(_rackNames.Count);
    }

    public int BrokerCount => _brokerCount;

    /// <summary>The replicas of the next partition, <paramref name="factor"/> distinct brokers; the caller checks there are enough.</summary>
    public List<int> Place(int factor)
    {
        if (factor > _brokerCount || factor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), $"{factor} replicas cannot be placed on {_brokerCount} brokers.");
        }

        // After as many partitions as brokers, mix racks and brokers up so that the next round differs (one broker
        // would loop forever, and has nothing to mix).
        if (_epoch == _brokerCount && _brokerCount > 1)
        {
            _random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_rackNames));
            foreach (var rack in _racks.Values)
            {
                rack.Shuffle(_random);
            }

            _epoch = 0;
        }

        if (_offset == _rackNames.Count)
        {
            _offset = 0;
        }

        var replicas = new List<int>(factor);
        var firstRack = _offset;
        while (true)
        {
            var broker = RackAt(firstRack).Next(_epoch);
            if (broker >= 0)
            {
                replicas.Add(broker);
                break;
            }

            firstRack = (firstRack + 1) % _rackNames.Count;
        }

        // The other replicas go round the racks from the same start, passing over the leader's rack once.
        var rackIndex = _offset;
        for (var replica = 1; replica < factor; replica++)
        {
            int broker;
            do
            {
                if (rackIndex == firstRack)
                {
                    firstRack = -1;
                    broker = -1;
                }
                else
                {
                    broker = RackAt(rackIndex).Next(_epoch);
                }

                rackIndex = (rackIndex + 1) % _rackNames.Count;
            }
            while (broker < 0);

            replicas.Add(broker);
        }

        _epoch++;
        _offset++;
        return replicas;
    }

    // Keys order the brokers without a rack first and keep "" apart from no rack.
    private static string RackKey(string? rack) => rack is null ? string.Empty : "r" + rack;

    private BrokerList RackAt(int index) => _racks[RackKey(_rackNames[index])];

    /// <summary>One rack's brokers, handed out round-robin from a start that moves on by one each partition.</summary>
    private sealed class BrokerList
    {
        private int _index;
        private int _offset;
        private int _epoch;

        public List<int> Brokers { get; } = [];

        public void Initialize(Random random)
        {
            Brokers.Sort();
            _offset = random.Next(Brokers.Count);
        }

        public void Shuffle(Random random) => random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Brokers));

        /// <summary>The next broker of this partition, or -1 once each has been handed out for it.</summary>
        public int Next(int epoch)
        {
            if (_epoch != epoch)
            {
                _epoch = epoch;
                _index = 0;
                _offset = (_offset + 1) % Brokers.Count;
            }

            if (_index >= Brokers.Count)
            {
                return -1;
            }

            return Brokers[(_index++ + _offset) % Brokers.Count];
        }
    }
}
