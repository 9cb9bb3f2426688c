namespace Rill.IntegrationTests.Groups;

/// <summary>One record as a group member processed it.</summary>
internal sealed record ConsumedRecord(string Member, int Partition, long Offset, string Key, string Value);
