namespace Rill.Cli.Records;

/// <summary>What <c>rill consume</c> was asked to read and how to print it.</summary>
internal sealed record ConsumeRequest(
    string Topic,
    string? Group,
    int? Partition,
    int? Count,
    bool ExitAtEnd,
    bool FromBeginning,
    RecordFormat Format);
