namespace Rill.Raft;

/// <summary>
/// The control record types of the KRaft log (kafka: <c>ControlRecordType</c>). A control record's key is
/// <c>version int16 (0), type int16</c>; its value is the matching message at its current version.
/// </summary>
internal enum ControlRecordType : short
{
    LeaderChange = 2,
    SnapshotHeader = 3,
    SnapshotFooter = 4,
    KRaftVersion = 5,
    KRaftVoters = 6,
}
