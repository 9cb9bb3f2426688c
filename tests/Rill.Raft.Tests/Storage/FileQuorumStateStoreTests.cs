using Rill.Common;
using Rill.Protocol.RaftRecords;
using Rill.Raft.Storage;

namespace Rill.Raft.Tests.Storage;

/// <summary>The quorum-state file: Kafka's JSON byte for byte, round trips of both versions, and refusal of anything unreadable.</summary>
public sealed class FileQuorumStateStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rill-raft-tests", Guid.NewGuid().ToString("N"));

    public FileQuorumStateStoreTests() => Directory.CreateDirectory(_dir);

    private string StatePath => Path.Combine(_dir, FileQuorumStateStore.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_Version0_IsKafkasJsonLine_AndReadsBack()
    {
        var store = new FileQuorumStateStore(StatePath, dataVersion: 0);
        var state = new QuorumStateData
        {
            LeaderId = 1,
            LeaderEpoch = 5,
            VotedId = -1,
            CurrentVoters = [new() { VoterId = 1 }, new() { VoterId = 2 }, new() { VoterId = 3 }],
        };

        store.Write(state);

        Assert.Equal(
            """{"clusterId":"","leaderId":1,"leaderEpoch":5,"votedId":-1,"appliedOffset":0,"currentVoters":[{"voterId":1},{"voterId":2},{"voterId":3}],"data_version":0}""",
            File.ReadAllText(StatePath));
        Assert.False(File.Exists(StatePath + ".tmp"));
        var read = new FileQuorumStateStore(StatePath, dataVersion: 0).Read();
        Assert.NotNull(read);
        Assert.Equal(("", 1, 5, -1, 0L, Uuid.Zero), (read.ClusterId, read.LeaderId, read.LeaderEpoch, read.VotedId, read.AppliedOffset, read.VotedDirectoryId));
        Assert.Equal([1, 2, 3], read.CurrentVoters!.Select(v => v.VoterId));
    }

    [Fact]
    public void Write_Version1_IsKafkasJsonLine_AndReadsBack()
    {
        var store = new FileQuorumStateStore(StatePath, dataVersion: 1);
        var directoryId = new Uuid(0x0123456789ABCDEF, 0x7EDCBA9876543210);

        store.Write(new QuorumStateData { LeaderId = -1, LeaderEpoch = 7, VotedId = 2, VotedDirectoryId = directoryId });

        Assert.Equal(
            $$"""{"leaderId":-1,"leaderEpoch":7,"votedId":2,"votedDirectoryId":"{{directoryId}}","data_version":1}""",
            File.ReadAllText(StatePath));
        var read = store.Read();
        Assert.NotNull(read);
        Assert.Equal((-1, 7, 2, directoryId), (read.LeaderId, read.LeaderEpoch, read.VotedId, read.VotedDirectoryId));
        Assert.Empty(read.CurrentVoters!);
    }

    [Fact]
    public void Write_AgainReplacesTheState()
    {
        var store = new FileQuorumStateStore(StatePath, dataVersion: 0);
        store.Write(new QuorumStateData { LeaderEpoch = 1, VotedId = 2, CurrentVoters = [] });

        store.Write(new QuorumStateData { LeaderEpoch = 2, LeaderId = 3, CurrentVoters = [] });

        var read = store.Read();
        Assert.Equal((2, 3, -1), (read!.LeaderEpoch, read.LeaderId, read.VotedId));
        Assert.Equal([FileQuorumStateStore.FileName], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Read_NoFile_IsNull() => Assert.Null(new FileQuorumStateStore(StatePath, dataVersion: 1).Read());

    [Fact]
    public void Read_AFileAsKafkaWritesIt_WithANewlineAndNullVoters()
    {
        File.WriteAllText(StatePath, """{"clusterId":"abc","leaderId":9990,"leaderEpoch":3012,"votedId":-1,"appliedOffset":17,"currentVoters":null,"data_version":0}""" + "\n");

        var read = new FileQuorumStateStore(StatePath, dataVersion: 1).Read();

        Assert.NotNull(read);
        Assert.Equal(("abc", 9990, 3012, -1, 17L), (read.ClusterId, read.LeaderId, read.LeaderEpoch, read.VotedId, read.AppliedOffset));
        Assert.Null(read.CurrentVoters);
    }

    public static TheoryData<string, string> CorruptFiles => new()
    {
        { "", "is empty" },
        { "\n", "is empty" },
        { "not json", "is not JSON" },
        { """{"leaderId":1,"leaderEpoch":""", "is not JSON" },
        { "[1,2]", "not an object" },
        { """{"leaderId":1,"leaderEpoch":2,"votedId":-1}""", "has no integer data_version" },
        { """{"leaderId":1,"leaderEpoch":2,"votedId":-1,"data_version":"1"}""", "has no integer data_version" },
        { """{"leaderId":1,"leaderEpoch":2,"votedId":-1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":2}""", "data_version (2) is not within" },
        { """{"leaderId":1,"votedId":-1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1}""", "has no leaderEpoch" },
        { """{"leaderId":1,"leaderEpoch":"two","votedId":-1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1}""", "leaderEpoch is not a 32-bit integer" },
        { """{"leaderId":1,"leaderEpoch":4294967296,"votedId":-1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1}""", "leaderEpoch is not a 32-bit integer" },
        { """{"leaderId":1,"leaderEpoch":2,"votedId":-1,"data_version":1}""", "has no votedDirectoryId" },
        { """{"leaderId":1,"leaderEpoch":2,"votedId":-1,"votedDirectoryId":"short","data_version":1}""", "votedDirectoryId is not a Kafka uuid" },
        { """{"clusterId":"","leaderId":1,"leaderEpoch":2,"votedId":-1,"appliedOffset":0,"data_version":0}""", "has no currentVoters" },
        { """{"clusterId":"","leaderId":1,"leaderEpoch":2,"votedId":-1,"appliedOffset":0,"currentVoters":[{"id":1}],"data_version":0}""", "currentVoters holds" },
        { """{"clusterId":7,"leaderId":1,"leaderEpoch":2,"votedId":-1,"appliedOffset":0,"currentVoters":[],"data_version":0}""", "clusterId is not a string" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Read_ACorruptFile_ThrowsNamingTheFileAndTheProblem(string content, string problem)
    {
        File.WriteAllText(StatePath, content);

        var error = Assert.Throws<QuorumStateFileException>(() => new FileQuorumStateStore(StatePath, dataVersion: 1).Read());

        Assert.Equal(StatePath, error.Path);
        Assert.StartsWith(StatePath + ": ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Read_AnUnreadableFile_ThrowsNamingTheFile()
    {
        Directory.CreateDirectory(StatePath);

        var error = Assert.Throws<QuorumStateFileException>(() => new FileQuorumStateStore(StatePath, dataVersion: 0).Read());

        Assert.Equal(StatePath, error.Path);
        Assert.IsAssignableFrom<IOException>(error);
    }
}
