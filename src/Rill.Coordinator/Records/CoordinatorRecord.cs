namespace Rill.Coordinator.Records;

/// <summary>One record of <c>__consumer_offsets</c>, decoded: the same type is written by requests and replayed at load.</summary>
internal abstract record CoordinatorRecord(string GroupId);
