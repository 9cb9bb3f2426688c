namespace Rill.IntegrationTests.Groups;

/// <summary>A consumer-group member under test, in this process (Confluent.Kafka) or a child process (Python).</summary>
internal interface IGroupMember : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The partitions the member holds now; empty between revocation and assignment.</summary>
    IReadOnlySet<int> Assignment { get; }

    /// <summary>Records in the order the member processed them.</summary>
    IReadOnlyList<ConsumedRecord> Records { get; }

    /// <summary>The offset the member last committed per partition (the next offset to read).</summary>
    IReadOnlyDictionary<int, long> Committed { get; }
}
