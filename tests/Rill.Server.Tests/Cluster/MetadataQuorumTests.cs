using Microsoft.Extensions.Logging.Abstractions;
using Rill.Client;
using Rill.Config;
using Rill.Metadata;
using Rill.Raft;
using Rill.Server.Quorum;
using Rill.TestKit;

namespace Rill.Server.Tests.Cluster;

public sealed class MetadataQuorumTests
{
    // A single voter elects itself as soon as its Raft client runs, before the node's controller registers for leader
    // changes. The controller must still hear of that leadership, or it never activates and the node's broker waits
    // for a controller forever (the hang this test was written for).
    [Fact]
    public async Task ListenerRegisteredAfterTheElection_HearsTheCurrentLeader()
    {
        using var dir = new TempDirectory();
        var config = ServerConfig.Load(null, new Dictionary<string, string>(), [$"log.dirs={dir.Path}"]);
        var clusterId = MetaProperties.LoadOrFormat(config);
        var quorum = MetadataQuorum.Start(
            config, clusterId, new MetadataLoader(NullLogger<MetadataLoader>.Instance), SocketTransport.Default, TimeProvider.System, new Random(7), NullLoggerFactory.Instance);
        await using (quorum)
        {
            await Eventually.UntilAsync(() => quorum.Leader.LeaderId == config.NodeId, TimeSpan.FromSeconds(10), "the single voter leads");
            var elected = quorum.Leader;

            var heard = new TaskCompletionSource<LeaderAndEpoch>(TaskCreationOptions.RunContinuationsAsynchronously);
            quorum.OnLeaderChange(leader => heard.TrySetResult(leader));

            Assert.Equal(elected, await heard.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        }
    }
}
